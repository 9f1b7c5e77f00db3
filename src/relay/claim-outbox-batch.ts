import type { PoolClient } from '../db/create-pool.ts';
import type { EventType } from '../events/event-types.ts';
import type { OutboxEvent } from '../delivery/plan-deliveries.ts';

/**
 * Locks up to `limit` unprocessed events, oldest first, skipping rows another relay holds. There is no
 * high-water mark: an event whose transaction commits after a higher id was processed is still
 * `processed_at IS NULL` and is claimed on the next pass, so out-of-order commits are never skipped.
 * Must run inside the transaction that later marks them processed.
 */
export async function claimOutboxBatch(client: PoolClient, limit: number): Promise<OutboxEvent[]> {
  const { rows } = await client.query<{
    id: string;
    event_type: EventType;
    conversation_id: string | null;
    payload: Record<string, unknown>;
  }>({
    name: 'claim-outbox-batch',
    text: /* sql */ `
      SELECT id::text, event_type, conversation_id, payload
      FROM lead_events
      WHERE processed_at IS NULL
      ORDER BY id
      LIMIT $1
      FOR UPDATE SKIP LOCKED`,
    values: [limit],
  });
  return rows.map((row) => ({ id: row.id, eventType: row.event_type, conversationId: row.conversation_id, payload: row.payload }));
}
