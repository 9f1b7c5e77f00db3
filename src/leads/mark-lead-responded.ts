import type { PoolClient } from '../db/create-pool.ts';
import { appendEvents, newEvent } from '../events/append-events.ts';
import { AppError } from '../shared/app-error.ts';
import type { LeadStatus } from './lead-vocabulary.ts';

export type { LeadStatus };

export interface LockedLead {
  id: string;
  status: LeadStatus;
  firstResponseAt: Date | null;
  slaDeadline: Date;
  slaBreached: boolean;
}

/**
 * Locks the lead's row for the rest of the transaction, or throws not_found (also for an erased lead: there
 * is nobody left to answer or to move through the pipeline). Taking the lock in its own
 * statement matters: the statements after it take a fresh snapshot, so they see a follow-up task that a
 * monitor committed while this transaction waited for the row.
 */
export async function lockLead(client: PoolClient, id: string): Promise<LockedLead> {
  const { rows } = await client.query<{
    id: string;
    status: LeadStatus;
    first_response_at: Date | null;
    sla_response_deadline: Date;
    sla_breached: boolean;
  }>(
    /* sql */ `SELECT id, status, first_response_at, sla_response_deadline, sla_breached FROM conversations WHERE id = $1 AND erased_at IS NULL FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new AppError('not_found', `no lead with id ${id}`);
  return {
    id: row.id,
    status: row.status,
    firstResponseAt: row.first_response_at,
    slaDeadline: row.sla_response_deadline,
    slaBreached: row.sla_breached,
  };
}

/**
 * The first response, once: sets `first_response_at` (only if unset), optionally moves a `new` lead to
 * `contacted`, and completes the open follow-up tasks. Returns nothing when the lead was answered before.
 */
const MARK_LEAD_RESPONDED = /* sql */ `
WITH lead AS (
  UPDATE conversations
     SET first_response_at = $2, updated_at = $2,
         status = CASE WHEN $3::boolean AND status = 'new' THEN 'contacted' ELSE status END
   WHERE id = $1 AND first_response_at IS NULL
  RETURNING id, created_at, first_response_at, sla_response_deadline, sla_breached, status
), tasks AS (
  UPDATE follow_up_tasks SET status = 'completed', completed_at = $2, completed_by = $4
   WHERE conversation_id = $1 AND status IN ('scheduled', 'overdue') AND EXISTS (SELECT 1 FROM lead)
  RETURNING id
)
SELECT l.created_at, l.first_response_at, l.status, NOT l.sla_breached AND $2::timestamptz <= l.sla_response_deadline AS within_sla,
       (SELECT coalesce(array_agg(id::text ORDER BY id), '{}') FROM tasks) AS completed_task_ids
  FROM lead l`;

export interface MarkRespondedResult {
  /** False when the lead had already been answered: nothing was written. */
  responded: boolean;
  firstResponseAt: Date | null;
  withinSla: boolean | null;
  completedTaskIds: string[];
}

/**
 * Records the first response and, when it was the first, the `lead.responded` and `task.completed` facts
 * with their timeline rows (the responder and the note go to the lead's timeline, never into an event).
 * Call with the lead locked, inside a transaction.
 */
export async function markLeadResponded(
  client: PoolClient,
  input: {
    id: string;
    now: Date;
    responder: string;
    via: 'respond' | 'status_change' | 'link';
    promoteNewToContacted: boolean;
    note?: string | undefined;
    agentId?: string | null;
  },
): Promise<MarkRespondedResult> {
  const { rows } = await client.query<{
    created_at: Date;
    first_response_at: Date;
    status: LeadStatus;
    within_sla: boolean;
    completed_task_ids: string[];
  }>(MARK_LEAD_RESPONDED, [input.id, input.now, input.promoteNewToContacted, input.responder]);
  const row = rows[0];
  if (!row) return { responded: false, firstResponseAt: null, withinSla: null, completedTaskIds: [] };
  const actor = { type: 'agent' as const, id: input.responder };
  await appendEvents(client, [
    newEvent(
      'lead.responded',
      input.id,
      {
        responded_at: input.now.toISOString(),
        via: input.via,
        response_seconds: Math.round((input.now.getTime() - row.created_at.getTime()) / 1000),
        within_sla: row.within_sla,
        agent_id: input.agentId ?? null,
      },
      { idempotencyKey: `lead.responded:${input.id}`, createdAt: input.now, describe: { actor, detail: input.note ?? null } },
    ),
    ...row.completed_task_ids.map((taskId) =>
      newEvent(
        'task.completed',
        input.id,
        { task_id: taskId, via: 'lead.responded' },
        { idempotencyKey: `task.completed:${taskId}`, createdAt: input.now, describe: { actor } },
      ),
    ),
  ]);
  return { responded: true, firstResponseAt: row.first_response_at, withinSla: row.within_sla, completedTaskIds: row.completed_task_ids };
}
