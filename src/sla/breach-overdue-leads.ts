import { withTransaction, type Pool } from '../db/create-pool.ts';
import { SLA_BATCH_SIZE, type SlaPassResult } from './warn-at-risk-leads.ts';

/** The claim, as in warnAtRiskLeads: the re-checked `sla_breached = false` lets exactly one monitor win. */
const CLAIM_OVERDUE_LEADS = /* sql */ `
UPDATE conversations
   SET sla_breached = true, sla_breached_at = $1, updated_at = $1
 WHERE id IN (
         SELECT id FROM conversations
          WHERE first_response_at IS NULL AND sla_breached = false AND sla_response_deadline <= $1
            AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
          ORDER BY sla_response_deadline
          LIMIT $3)
   AND first_response_at IS NULL AND sla_breached = false AND sla_response_deadline <= $1
RETURNING id`;

/**
 * The task becomes overdue (or is created overdue when the warning never ran, e.g. a Meta lead that arrived
 * after its deadline), then the `sla.breached` event, the `task.created` fact for a new task and the
 * timeline rows. Runs as a second statement after the claim so it sees a task a warning committed while
 * the claim waited for the row.
 */
const RECORD_BREACHES = /* sql */ `
WITH breached AS (
  SELECT id, quality, sla_response_deadline, sla_warned_at FROM conversations WHERE id = ANY($1::uuid[])
), task AS (
  INSERT INTO follow_up_tasks (conversation_id, kind, title, follow_up_date, status, sla_deadline, sla_breached, created_at)
  SELECT id, 'sla_follow_up', 'Respond to this ' || upper(quality) || ' lead: its SLA deadline has passed',
         sla_response_deadline, 'overdue', sla_response_deadline, true, $2
    FROM breached
  ON CONFLICT (conversation_id) WHERE kind = 'sla_follow_up' DO UPDATE
     SET sla_breached = true,
         status = CASE WHEN follow_up_tasks.status = 'scheduled' THEN 'overdue' ELSE follow_up_tasks.status END
  RETURNING id, conversation_id, follow_up_date, (xmax = 0) AS inserted
), breach AS (
  INSERT INTO lead_events (event_type, conversation_id, payload, idempotency_key, created_at)
  SELECT 'sla.breached', b.id,
         jsonb_build_object('quality', b.quality, 'sla_deadline', b.sla_response_deadline, 'breached_at', $2::timestamptz,
                            'task_id', (SELECT t.id::text FROM task t WHERE t.conversation_id = b.id)),
         'sla.breached:' || b.id, $2
    FROM breached b
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, conversation_id
), task_event AS (
  INSERT INTO lead_events (event_type, conversation_id, payload, idempotency_key, created_at, processed_at)
  SELECT 'task.created', t.conversation_id,
         jsonb_build_object('task_id', t.id::text, 'kind', 'sla_follow_up', 'follow_up_date', t.follow_up_date, 'status', 'overdue'),
         'task.created:' || t.id, $2, now()
    FROM task t WHERE t.inserted
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, conversation_id
), timeline AS (
  INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, description, actor_type, created_at)
  SELECT e.conversation_id, e.id, 'sla.breached', 'SLA breached',
         'The deadline ' || to_char(b.sla_response_deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC passed with no response; the follow-up task is overdue.',
         'system', $2
    FROM breach e JOIN breached b ON b.id = e.conversation_id
  UNION ALL
  SELECT e.conversation_id, e.id, 'task.created', 'Follow-up task created (overdue)',
         'Respond as soon as possible: the SLA deadline has passed.', 'system', $2
    FROM task_event e
)
SELECT (SELECT count(*)::int FROM breach) AS breaches`;

/** Breaches the unanswered leads whose deadline has passed at `now`: all of them, or only `ids`. */
export async function breachOverdueLeads(pool: Pool, now: Date, options: { ids?: string[] } = {}): Promise<SlaPassResult> {
  const conversationIds: string[] = [];
  for (;;) {
    const claimed = await withTransaction(pool, async (client) => {
      const { rows } = await client.query<{ id: string }>(CLAIM_OVERDUE_LEADS, [now, options.ids ?? null, SLA_BATCH_SIZE]);
      if (rows.length === 0) return [];
      const ids = rows.map((row) => row.id);
      await client.query(RECORD_BREACHES, [ids, now]);
      return ids;
    });
    conversationIds.push(...claimed);
    if (claimed.length < SLA_BATCH_SIZE) return { conversationIds };
  }
}
