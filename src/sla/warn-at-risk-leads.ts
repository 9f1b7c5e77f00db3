import { withTransaction, type Pool } from '../db/create-pool.ts';

/** How many leads one pass handles in one transaction; a sweep loops until none are left. */
export const SLA_BATCH_SIZE = 200;

/**
 * Claims the unanswered leads whose at-risk time has passed (and whose deadline has not: those go straight to
 * the breach). The UPDATE is the claim: with several monitors, Postgres re-checks `sla_warned_at IS NULL`
 * on the row after waiting for a competing transaction, so exactly one of them gets the row back.
 */
const CLAIM_AT_RISK_LEADS = /* sql */ `
UPDATE conversations
   SET sla_warned_at = $1, updated_at = $1
 WHERE id IN (
         SELECT id FROM conversations
          WHERE first_response_at IS NULL AND sla_breached = false AND sla_warned_at IS NULL
            AND sla_warning_at <= $1 AND sla_response_deadline > $1
            AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
          ORDER BY sla_warning_at
          LIMIT $3)
   AND first_response_at IS NULL AND sla_breached = false AND sla_warned_at IS NULL
   AND sla_warning_at <= $1 AND sla_response_deadline > $1
RETURNING id`;

/**
 * For the claimed leads, in the same transaction: the follow-up task, the `sla.warning` event (the relay
 * fans it out as an alert), the `task.created` fact (born processed: nothing to deliver) and their timeline
 * rows. The unique task index and the events' idempotency keys make a repeat a no-op even if a claim
 * were ever lost.
 */
const RECORD_WARNINGS = /* sql */ `
WITH warned AS (
  SELECT id, quality, sla_response_deadline, sla_warning_at FROM conversations WHERE id = ANY($1::uuid[])
), task AS (
  INSERT INTO follow_up_tasks (conversation_id, kind, title, follow_up_date, status, sla_deadline, created_at)
  SELECT id, 'sla_follow_up', 'Respond to this ' || upper(quality) || ' lead before its SLA deadline',
         sla_response_deadline, 'scheduled', sla_response_deadline, $2
    FROM warned
  ON CONFLICT (conversation_id) WHERE kind = 'sla_follow_up' DO NOTHING
  RETURNING id, conversation_id, follow_up_date
), warning AS (
  INSERT INTO lead_events (event_type, conversation_id, payload, idempotency_key, created_at)
  SELECT 'sla.warning', w.id,
         jsonb_build_object('quality', w.quality, 'sla_deadline', w.sla_response_deadline,
                            'sla_warning_at', w.sla_warning_at, 'warned_at', $2::timestamptz,
                            'seconds_left', floor(extract(epoch FROM w.sla_response_deadline - $2::timestamptz))::int),
         'sla.warning:' || w.id, $2
    FROM warned w
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, conversation_id
), task_event AS (
  INSERT INTO lead_events (event_type, conversation_id, payload, idempotency_key, created_at, processed_at)
  SELECT 'task.created', t.conversation_id,
         jsonb_build_object('task_id', t.id::text, 'kind', 'sla_follow_up', 'follow_up_date', t.follow_up_date),
         'task.created:' || t.id, $2, now()
    FROM task t
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, conversation_id
), timeline AS (
  INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, description, actor_type, created_at)
  SELECT e.conversation_id, e.id, 'sla.warning', 'SLA at risk',
         'No response yet; the deadline is ' || to_char(w.sla_response_deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC.',
         'system', $2
    FROM warning e JOIN warned w ON w.id = e.conversation_id
  UNION ALL
  SELECT e.conversation_id, e.id, 'task.created', 'Follow-up task created',
         'Respond before the SLA deadline.', 'system', $2
    FROM task_event e
)
SELECT (SELECT count(*)::int FROM warning) AS warnings, (SELECT count(*)::int FROM task) AS tasks`;

export interface SlaPassResult {
  /** Leads this call moved (warned, or breached). */
  conversationIds: string[];
}

/**
 * Warns the leads that are at risk at `now`: all of them (the sweep), or only `ids` (a timer). Uses the
 * rows and the injected clock only, so a test with a fixed clock sees the same decisions.
 */
export async function warnAtRiskLeads(pool: Pool, now: Date, options: { ids?: string[] } = {}): Promise<SlaPassResult> {
  const conversationIds: string[] = [];
  for (;;) {
    const claimed = await withTransaction(pool, async (client) => {
      const { rows } = await client.query<{ id: string }>(CLAIM_AT_RISK_LEADS, [now, options.ids ?? null, SLA_BATCH_SIZE]);
      if (rows.length === 0) return [];
      const ids = rows.map((row) => row.id);
      await client.query(RECORD_WARNINGS, [ids, now]);
      return ids;
    });
    conversationIds.push(...claimed);
    if (claimed.length < SLA_BATCH_SIZE) return { conversationIds };
  }
}
