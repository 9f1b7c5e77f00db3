import { withTransaction, type Pool } from '../db/create-pool.ts';
import { appendEvents, newEvent } from '../events/append-events.ts';
import type { LeadQuality } from '../leads/lead-vocabulary.ts';
import { SLA_BATCH_SIZE, type SlaPassResult } from './warn-at-risk-leads.ts';

/**
 * The claim, as in warnAtRiskLeads: the re-checked `sla_breached = false` lets exactly one monitor win. An
 * erased lead is never claimed: nobody can answer it, and its tombstone counts by the clock (lead_sla_state).
 */
const CLAIM_OVERDUE_LEADS = /* sql */ `
UPDATE conversations
   SET sla_breached = true, sla_breached_at = $1, updated_at = $1
 WHERE id IN (
         SELECT id FROM conversations
          WHERE first_response_at IS NULL AND sla_breached = false AND sla_response_deadline <= $1 AND erased_at IS NULL
            AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
          ORDER BY sla_response_deadline
          LIMIT $3)
   AND first_response_at IS NULL AND sla_breached = false AND sla_response_deadline <= $1 AND erased_at IS NULL
RETURNING id, quality, sla_response_deadline`;

/**
 * The task becomes overdue (or is created overdue when the warning never ran, e.g. a Meta lead that arrived
 * after its deadline). Runs as its own statement after the claim so it sees a task a warning committed while
 * the claim waited for the row.
 */
const MAKE_TASKS_OVERDUE = /* sql */ `
INSERT INTO follow_up_tasks (conversation_id, kind, title, follow_up_date, status, sla_deadline, sla_breached, created_at)
SELECT id, 'sla_follow_up', 'Respond to this ' || upper(quality) || ' lead: its SLA deadline has passed',
       sla_response_deadline, 'overdue', sla_response_deadline, true, $2
  FROM conversations WHERE id = ANY($1::uuid[])
ON CONFLICT (conversation_id) WHERE kind = 'sla_follow_up' DO UPDATE
   SET sla_breached = true,
       status = CASE WHEN follow_up_tasks.status = 'scheduled' THEN 'overdue' ELSE follow_up_tasks.status END
RETURNING id::text, conversation_id, follow_up_date, (xmax = 0) AS inserted`;

/** Breaches the unanswered leads whose deadline has passed at `now`: all of them, or only `ids`. */
export async function breachOverdueLeads(pool: Pool, now: Date, options: { ids?: string[] } = {}): Promise<SlaPassResult> {
  const conversationIds: string[] = [];
  for (;;) {
    const claimed = await withTransaction(pool, async (client) => {
      const { rows } = await client.query<{ id: string; quality: LeadQuality; sla_response_deadline: Date }>(CLAIM_OVERDUE_LEADS, [
        now,
        options.ids ?? null,
        SLA_BATCH_SIZE,
      ]);
      if (rows.length === 0) return [];
      const ids = rows.map((row) => row.id);
      const tasks = await client.query<{ id: string; conversation_id: string; follow_up_date: Date; inserted: boolean }>(
        MAKE_TASKS_OVERDUE,
        [ids, now],
      );
      // The breach alert also goes to every active manager's own addresses (the relay reads them as it plans
      // the deliveries); that escalation is a fact of its own, recorded here with the breach.
      const managers = await client.query<{ managers: number }>(
        /* sql */ `SELECT count(*)::int AS managers FROM agents WHERE active AND role = 'manager'`,
      );
      const managerCount = managers.rows[0]?.managers ?? 0;
      // The `sla.breached` event (the relay fans it out as an alert), the `task.created` fact for a task made
      // just now, and their timeline rows; the events' keys make a repeat a no-op even if a claim were lost.
      await appendEvents(client, [
        ...rows.map((lead) =>
          newEvent(
            'sla.breached',
            lead.id,
            { quality: lead.quality, sla_deadline: lead.sla_response_deadline.toISOString(), breached_at: now.toISOString() },
            { idempotencyKey: `sla.breached:${lead.id}`, createdAt: now },
          ),
        ),
        ...(managerCount === 0
          ? []
          : rows.map((lead) =>
              newEvent(
                'sla.escalated',
                lead.id,
                { managers: managerCount, breached_at: now.toISOString() },
                { idempotencyKey: `sla.escalated:${lead.id}`, createdAt: now },
              ),
            )),
        ...tasks.rows
          .filter((task) => task.inserted)
          .map((task) =>
            newEvent(
              'task.created',
              task.conversation_id,
              { task_id: task.id, kind: 'sla_follow_up', follow_up_date: task.follow_up_date.toISOString(), status: 'overdue' },
              { idempotencyKey: `task.created:${task.id}`, createdAt: now },
            ),
          ),
      ]);
      return ids;
    });
    conversationIds.push(...claimed);
    if (claimed.length < SLA_BATCH_SIZE) return { conversationIds };
  }
}
