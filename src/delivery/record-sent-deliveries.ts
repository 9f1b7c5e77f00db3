import type { ChannelName } from '../shared/channel-names.ts';
import type { Queryable } from '../db/create-pool.ts';
import { appendEventsSql, encodeEvents, newEvent } from '../events/append-events.ts';
import type { EventType } from '../events/event-types.ts';

/** One delivery that went out, as its attempt was started. */
export interface SentDelivery {
  logId: string;
  eventId: string;
  eventType: EventType;
  conversationId: string | null;
  attempt: number;
  possibleDuplicate: boolean;
}

/**
 * Marks the attempts of one or many sent messages `sent`, and records for each a `notification.sent` fact
 * (born processed: it needs no delivery of its own) with its timeline row. One statement for the whole
 * batch, so a delivery costs a share of one commit. An attempt that is no longer `sending` (a process that
 * was taken for dead closed it meanwhile) is left alone and gets no fact.
 */
export async function recordSentDeliveries(
  db: Queryable,
  channel: ChannelName,
  messages: { deliveries: SentDelivery[]; providerMessageId: string | null }[],
): Promise<void> {
  const logIds: string[] = [];
  const providerIds: (string | null)[] = [];
  const counts: number[] = [];
  const events = [];
  for (const message of messages) {
    for (const delivery of message.deliveries) {
      logIds.push(delivery.logId);
      providerIds.push(message.providerMessageId);
      counts.push(message.deliveries.length);
      events.push(
        newEvent(
          'notification.sent',
          delivery.conversationId,
          {
            event_id: delivery.eventId,
            event_type: delivery.eventType,
            channel,
            attempt: delivery.attempt,
            notification_log_id: delivery.logId,
            possible_duplicate: delivery.possibleDuplicate,
            coalesced_count: message.deliveries.length,
          },
          { ref: delivery.logId },
        ),
      );
    }
  }
  await db.query({
    name: 'record-sent-delivery-batch',
    text: /* sql */ `
      WITH input AS (
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[]) AS t(log_id, provider_message_id, coalesced_count)
      ), done AS (
        UPDATE notification_logs n
        SET status = 'sent', provider_message_id = input.provider_message_id, coalesced_count = input.coalesced_count,
            finished_at = now(), latency_ms = (extract(epoch FROM now() - n.started_at) * 1000)::int
        FROM input
        WHERE n.id = input.log_id AND n.status = 'sending'
        RETURNING n.id
      ),${appendEventsSql(4, { refsIn: 'SELECT id::text FROM done' })}
      SELECT count(*)::int AS sent FROM done`,
    values: [logIds, providerIds, counts, encodeEvents(events)],
  });
}
