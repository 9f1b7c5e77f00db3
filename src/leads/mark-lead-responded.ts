import type { PoolClient } from '../db/create-pool.ts';
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
 * Locks the lead's row for the rest of the transaction, or throws not_found. Taking the lock in its own
 * statement matters: the statements after it take a fresh snapshot, so they see a follow-up task that a
 * monitor committed while this transaction waited for the row.
 */
export async function lockLead(client: PoolClient, id: string): Promise<LockedLead> {
  const { rows } = await client.query<{ id: string; status: LeadStatus; first_response_at: Date | null; sla_response_deadline: Date; sla_breached: boolean }>(
    /* sql */ `SELECT id, status, first_response_at, sla_response_deadline, sla_breached FROM conversations WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new AppError('not_found', `no lead with id ${id}`);
  return { id: row.id, status: row.status, firstResponseAt: row.first_response_at, slaDeadline: row.sla_response_deadline, slaBreached: row.sla_breached };
}

/**
 * The first response, once: sets `first_response_at` (only if unset), optionally moves a `new` lead to
 * `contacted`, completes the open follow-up tasks and records `lead.responded` and `task.completed` (facts
 * with nothing to deliver, so born processed) with their timeline rows. Call with the lead locked.
 */
const MARK_LEAD_RESPONDED = /* sql */ `
WITH lead AS (
  UPDATE conversations
     SET first_response_at = $2, updated_at = $2,
         status = CASE WHEN $5::boolean AND status = 'new' THEN 'contacted' ELSE status END
   WHERE id = $1 AND first_response_at IS NULL
  RETURNING id, created_at, first_response_at, sla_response_deadline, sla_breached, status
), tasks AS (
  UPDATE follow_up_tasks SET status = 'completed', completed_at = $2, completed_by = $3
   WHERE conversation_id = $1 AND status IN ('scheduled', 'overdue') AND EXISTS (SELECT 1 FROM lead)
  RETURNING id, conversation_id
), responded AS (
  INSERT INTO lead_events (event_type, conversation_id, payload, idempotency_key, created_at, processed_at)
  SELECT 'lead.responded', l.id,
         jsonb_build_object('responded_at', $2::timestamptz, 'via', $4::text, 'responder', $3::text,
                            'response_seconds', round(extract(epoch FROM $2::timestamptz - l.created_at))::int,
                            'within_sla', NOT l.sla_breached AND $2::timestamptz <= l.sla_response_deadline),
         'lead.responded:' || l.id, $2, now()
    FROM lead l
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, conversation_id, payload
), task_events AS (
  INSERT INTO lead_events (event_type, conversation_id, payload, idempotency_key, created_at, processed_at)
  SELECT 'task.completed', t.conversation_id, jsonb_build_object('task_id', t.id::text, 'completed_by', $3::text, 'via', 'lead.responded'),
         'task.completed:' || t.id, $2, now()
    FROM tasks t
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, conversation_id
), timeline AS (
  INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, description, actor_type, actor_id, created_at)
  SELECT r.conversation_id, r.id, 'lead.responded',
         CASE WHEN (r.payload->>'within_sla')::boolean THEN 'Lead answered within the SLA' ELSE 'Lead answered after the SLA deadline' END,
         $6::text, 'agent', $3, $2
    FROM responded r
  UNION ALL
  SELECT e.conversation_id, e.id, 'task.completed', 'Follow-up task completed', 'Completed by the first response.', 'agent', $3, $2
    FROM task_events e
)
SELECT l.first_response_at, l.status, r.payload->>'within_sla' = 'true' AS within_sla,
       (SELECT coalesce(array_agg(id::text ORDER BY id), '{}') FROM tasks) AS completed_task_ids
  FROM lead l LEFT JOIN responded r ON r.conversation_id = l.id`;

export interface MarkRespondedResult {
  /** False when the lead had already been answered: nothing was written. */
  responded: boolean;
  firstResponseAt: Date | null;
  withinSla: boolean | null;
  completedTaskIds: string[];
}

export async function markLeadResponded(
  client: PoolClient,
  input: { id: string; now: Date; responder: string; via: 'respond' | 'status_change'; promoteNewToContacted: boolean; note?: string | undefined },
): Promise<MarkRespondedResult> {
  const { rows } = await client.query<{ first_response_at: Date; status: LeadStatus; within_sla: boolean; completed_task_ids: string[] }>(
    MARK_LEAD_RESPONDED,
    [input.id, input.now, input.responder, input.via, input.promoteNewToContacted, input.note ?? null],
  );
  const row = rows[0];
  if (!row) return { responded: false, firstResponseAt: null, withinSla: null, completedTaskIds: [] };
  return { responded: true, firstResponseAt: row.first_response_at, withinSla: row.within_sla, completedTaskIds: row.completed_task_ids };
}
