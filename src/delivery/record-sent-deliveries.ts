import type { Queryable } from '../db/create-pool.ts';

/**
 * Marks attempts sent, and records for each a `notification.sent` fact (already processed: it needs no
 * delivery of its own) and a timeline row on the lead. One statement for the whole message.
 */
export async function recordSentDeliveries(
  db: Queryable,
  sent: { logIds: string[]; providerMessageId: string | null; coalescedCount: number },
): Promise<void> {
  await db.query({
    name: 'record-sent-deliveries',
    text: /* sql */ `
      WITH done AS (
        UPDATE notification_logs
        SET status = 'sent', provider_message_id = $2, coalesced_count = $3, finished_at = now(),
            latency_ms = (extract(epoch FROM now() - started_at) * 1000)::int
        WHERE id = ANY($1::bigint[]) AND status = 'sending'
        RETURNING id, event_id, conversation_id, channel, attempt, possible_duplicate
      ), facts AS (
        INSERT INTO lead_events (event_type, conversation_id, payload, processed_at)
        SELECT 'notification.sent', done.conversation_id,
               jsonb_build_object('event_id', done.event_id::text, 'event_type', source.event_type, 'channel', done.channel,
                                  'attempt', done.attempt, 'notification_log_id', done.id::text,
                                  'possible_duplicate', done.possible_duplicate, 'coalesced_count', $3::int),
               now()
        FROM done JOIN lead_events source ON source.id = done.event_id
        RETURNING id, conversation_id, payload
      )
      INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, description, actor_type, metadata)
      SELECT conversation_id, id, 'notification.sent',
             initcap(payload->>'channel') || ' notified (' || (payload->>'event_type') || ')',
             'Attempt ' || (payload->>'attempt')
               || CASE WHEN $3::int > 1 THEN ', in a summary of ' || $3::int || ' alerts' ELSE '' END
               || CASE WHEN (payload->>'possible_duplicate')::boolean THEN '; may repeat an earlier message (a process died mid-send)' ELSE '' END,
             'system', payload
      FROM facts WHERE conversation_id IS NOT NULL`,
    values: [sent.logIds, sent.providerMessageId, sent.coalescedCount],
  });
}
