import type { PoolClient } from '../db/create-pool.ts';
import type { EventType } from '../events/event-types.ts';
import type { OutboxEvent } from '../delivery/plan-deliveries.ts';
import type { AgentChannelKind } from '../shared/channel-names.ts';

/**
 * Locks up to `limit` unprocessed events, oldest first, skipping rows another relay holds. There is no
 * high-water mark: an event whose transaction commits after a higher id was processed is still
 * `processed_at IS NULL` and is claimed on the next pass, so out-of-order commits are never skipped.
 * Must run inside the transaction that later marks them processed. Each lead alert comes with the team
 * members it also goes to (the assignee; for a breach also every active manager) and their kinds of address.
 */
export async function claimOutboxBatch(client: PoolClient, limit: number): Promise<OutboxEvent[]> {
  const { rows } = await client.query<{
    id: string;
    event_type: EventType;
    conversation_id: string | null;
    payload: Record<string, unknown>;
    recipients: { agent_id: string; kinds: AgentChannelKind[] }[] | null;
  }>({
    name: 'claim-outbox-batch',
    text: /* sql */ `
      WITH claimed AS (
        SELECT id, event_type, conversation_id, payload
        FROM lead_events
        WHERE processed_at IS NULL
        ORDER BY id
        LIMIT $1
        FOR UPDATE SKIP LOCKED
      )
      SELECT e.id::text, e.event_type, e.conversation_id, e.payload,
             CASE WHEN e.event_type IN ('lead.created', 'sla.warning', 'sla.breached') THEN (
               SELECT jsonb_agg(jsonb_build_object('agent_id', a.id, 'kinds', array_remove(ARRAY[
                        CASE WHEN a.email IS NOT NULL THEN 'email' END,
                        CASE WHEN a.telegram_chat_id IS NOT NULL THEN 'telegram' END,
                        CASE WHEN a.slack_webhook_url IS NOT NULL THEN 'slack' END], NULL)) ORDER BY a.id)
               FROM agents a
               WHERE a.active
                 AND (a.id = (SELECT c.assigned_to FROM conversations c WHERE c.id = e.conversation_id AND c.erased_at IS NULL)
                      OR (e.event_type = 'sla.breached' AND a.role = 'manager'))
             ) END AS recipients
      FROM claimed e
      ORDER BY e.id`,
    values: [limit],
  });
  return rows.map((row) => ({
    id: row.id,
    eventType: row.event_type,
    conversationId: row.conversation_id,
    payload: row.payload,
    recipients: (row.recipients ?? []).map((recipient) => ({ agentId: recipient.agent_id, kinds: recipient.kinds })),
  }));
}
