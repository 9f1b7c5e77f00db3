import type { Queryable } from '../db/create-pool.ts';

export const TASK_STATUS_FILTERS = ['open', 'scheduled', 'overdue', 'completed', 'cancelled', 'all'] as const;
export type TaskStatusFilter = (typeof TASK_STATUS_FILTERS)[number];

export interface FollowUpTaskRow {
  id: string;
  conversation_id: string;
  kind: string;
  title: string;
  follow_up_date: Date;
  status: string;
  sla_deadline: Date;
  sla_breached: boolean;
  created_at: Date;
  completed_at: Date | null;
  completed_by: string | null;
  lead_name: string | null;
  lead_quality: string;
  lead_source: string;
}

/** The JSON shape of a task in the admin API. */
export interface FollowUpTask {
  id: string;
  conversation_id: string;
  kind: string;
  title: string;
  follow_up_date: string;
  status: string;
  sla_deadline: string;
  sla_breached: boolean;
  created_at: string;
  completed_at: string | null;
  completed_by: string | null;
  lead: { name: string | null; quality: string; source: string };
}

export function toFollowUpTask(row: FollowUpTaskRow): FollowUpTask {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    kind: row.kind,
    title: row.title,
    follow_up_date: row.follow_up_date.toISOString(),
    status: row.status,
    sla_deadline: row.sla_deadline.toISOString(),
    sla_breached: row.sla_breached,
    created_at: row.created_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
    completed_by: row.completed_by,
    lead: { name: row.lead_name, quality: row.lead_quality, source: row.lead_source },
  };
}

/**
 * Follow-up tasks for `GET /api/admin/tasks`. Open ones (scheduled and overdue) come soonest first, which is
 * the order to work them in; finished ones newest first.
 */
export async function listFollowUpTasks(
  db: Queryable,
  filter: { status: TaskStatusFilter; conversationId?: string | undefined; limit: number },
): Promise<FollowUpTask[]> {
  const statuses =
    filter.status === 'open'
      ? ['scheduled', 'overdue']
      : filter.status === 'all'
        ? ['scheduled', 'overdue', 'completed', 'cancelled']
        : [filter.status];
  const openFirst = filter.status === 'open' || filter.status === 'scheduled' || filter.status === 'overdue';
  const { rows } = await db.query<FollowUpTaskRow>(
    /* sql */ `SELECT t.id::text, t.conversation_id, t.kind, t.title, t.follow_up_date, t.status, t.sla_deadline, t.sla_breached,
                      t.created_at, t.completed_at, t.completed_by, c.name AS lead_name, c.quality AS lead_quality, c.source AS lead_source
                 FROM follow_up_tasks t JOIN conversations c ON c.id = t.conversation_id
                WHERE t.status = ANY($1::text[]) AND ($2::uuid IS NULL OR t.conversation_id = $2) AND c.erased_at IS NULL
                ORDER BY ${openFirst ? 't.follow_up_date ASC, t.id ASC' : 'coalesce(t.completed_at, t.created_at) DESC, t.id DESC'}
                LIMIT $3`,
    [statuses, filter.conversationId ?? null, filter.limit],
  );
  return rows.map(toFollowUpTask);
}
