import { withTransaction, type Pool } from '../db/create-pool.ts';
import { appendEvents, newEvent } from '../events/append-events.ts';
import type { LeadQuality } from '../leads/lead-vocabulary.ts';

/** How many leads one pass handles in one transaction; a sweep loops until none are left. */
export const SLA_BATCH_SIZE = 200;

/**
 * Claims the unanswered leads whose at-risk time has passed (and whose deadline has not: those go straight to
 * the breach). The UPDATE is the claim: with several monitors, Postgres re-checks `sla_warned_at IS NULL`
 * on the row after waiting for a competing transaction, so exactly one of them gets the row back. Erased
 * leads are left alone: a warning about a tombstone would alert about nobody.
 */
const CLAIM_AT_RISK_LEADS = /* sql */ `
UPDATE conversations
   SET sla_warned_at = $1, updated_at = $1
 WHERE id IN (
         SELECT id FROM conversations
          WHERE first_response_at IS NULL AND sla_breached = false AND sla_warned_at IS NULL
            AND sla_warning_at <= $1 AND sla_response_deadline > $1 AND erased_at IS NULL
            AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
          ORDER BY sla_warning_at
          LIMIT $3)
   AND first_response_at IS NULL AND sla_breached = false AND sla_warned_at IS NULL
   AND sla_warning_at <= $1 AND sla_response_deadline > $1 AND erased_at IS NULL
RETURNING id, quality, sla_response_deadline, sla_warning_at`;

/** The follow-up task of each claimed lead; the unique task index makes a repeat a no-op. */
const CREATE_TASKS = /* sql */ `
INSERT INTO follow_up_tasks (conversation_id, kind, title, follow_up_date, status, sla_deadline, created_at)
SELECT id, 'sla_follow_up', 'Respond to this ' || upper(quality) || ' lead before its SLA deadline',
       sla_response_deadline, 'scheduled', sla_response_deadline, $2
  FROM conversations WHERE id = ANY($1::uuid[])
ON CONFLICT (conversation_id) WHERE kind = 'sla_follow_up' DO NOTHING
RETURNING id::text, conversation_id, follow_up_date`;

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
      const { rows } = await client.query<{ id: string; quality: LeadQuality; sla_response_deadline: Date; sla_warning_at: Date }>(
        CLAIM_AT_RISK_LEADS,
        [now, options.ids ?? null, SLA_BATCH_SIZE],
      );
      if (rows.length === 0) return [];
      const ids = rows.map((row) => row.id);
      const tasks = await client.query<{ id: string; conversation_id: string; follow_up_date: Date }>(CREATE_TASKS, [ids, now]);
      // The `sla.warning` event (the relay fans it out as an alert), the `task.created` fact and their
      // timeline rows; the events' keys make a repeat a no-op even if a claim were ever lost.
      await appendEvents(client, [
        ...rows.map((lead) =>
          newEvent(
            'sla.warning',
            lead.id,
            {
              quality: lead.quality,
              sla_deadline: lead.sla_response_deadline.toISOString(),
              sla_warning_at: lead.sla_warning_at.toISOString(),
              warned_at: now.toISOString(),
              seconds_left: Math.floor((lead.sla_response_deadline.getTime() - now.getTime()) / 1000),
            },
            { idempotencyKey: `sla.warning:${lead.id}`, createdAt: now },
          ),
        ),
        ...tasks.rows.map((task) =>
          newEvent(
            'task.created',
            task.conversation_id,
            { task_id: task.id, kind: 'sla_follow_up', follow_up_date: task.follow_up_date.toISOString(), status: 'scheduled' },
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
