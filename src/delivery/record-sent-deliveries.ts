import type { Queryable } from '../db/create-pool.ts';

/**
 * Marks the attempts of one or many sent messages `sent`, and records for each a `notification.sent` fact
 * (already processed: it needs no delivery of its own) and a timeline row on the lead. One statement for
 * the whole batch, so a delivery costs a share of one commit.
 */
export async function recordSentDeliveries(db: Queryable, messages: { logIds: string[]; providerMessageId: string | null }[]): Promise<void> {
  const logIds: string[] = [];
  const providerIds: (string | null)[] = [];
  const counts: number[] = [];
  for (const message of messages) {
    for (const logId of message.logIds) {
      logIds.push(logId);
      providerIds.push(message.providerMessageId);
      counts.push(message.logIds.length);
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
        RETURNING n.id, n.event_id, n.conversation_id, n.channel, n.attempt, n.possible_duplicate, n.coalesced_count
      ), facts AS (
        INSERT INTO lead_events (event_type, conversation_id, payload, processed_at)
        SELECT 'notification.sent', done.conversation_id,
               jsonb_build_object('event_id', done.event_id::text, 'event_type', source.event_type, 'channel', done.channel,
                                  'attempt', done.attempt, 'notification_log_id', done.id::text,
                                  'possible_duplicate', done.possible_duplicate, 'coalesced_count', done.coalesced_count),
               now()
        FROM done JOIN lead_events source ON source.id = done.event_id
        RETURNING id, conversation_id, payload
      )
      INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, description, actor_type, metadata)
      SELECT conversation_id, id, 'notification.sent',
             initcap(payload->>'channel') || ' notified (' || (payload->>'event_type') || ')',
             'Attempt ' || (payload->>'attempt')
               || CASE WHEN (payload->>'coalesced_count')::int > 1 THEN ', in a summary of ' || (payload->>'coalesced_count') || ' alerts' ELSE '' END
               || CASE WHEN (payload->>'possible_duplicate')::boolean THEN '; may repeat an earlier message (a process died mid-send)' ELSE '' END,
             'system', payload
      FROM facts WHERE conversation_id IS NOT NULL`,
    values: [logIds, providerIds, counts],
  });
}
