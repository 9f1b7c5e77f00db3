import type { ChannelErrorKind, ChannelName } from '../channels/channel.ts';
import type { Queryable } from '../db/create-pool.ts';

export interface FailedDelivery {
  logId: string;
  /** Present while retries remain; absent when the delivery is dead. */
  nextAttemptAt: Date | undefined;
}

/**
 * Records a failed attempt. A delivery with a next attempt stays `failed`; one without is `dead`, which
 * also writes a `notification.failed` event: the relay turns it into an operator alert on the other
 * channels (unless the dead delivery was itself an operator alert: that would loop).
 */
export async function recordFailedDeliveries(
  db: Queryable,
  failure: { channel: ChannelName; kind: ChannelErrorKind; errorMessage: string; deliveries: FailedDelivery[] },
): Promise<void> {
  await db.query({
    name: 'record-failed-deliveries',
    text: /* sql */ `
      WITH input AS (
        SELECT * FROM unnest($1::bigint[], $2::timestamptz[]) AS t(log_id, next_attempt_at)
      ), failed AS (
        UPDATE notification_logs n
        SET status = CASE WHEN input.next_attempt_at IS NULL THEN 'dead' ELSE 'failed' END,
            error_kind = $3, error_message = $4, next_attempt_at = input.next_attempt_at, finished_at = now(),
            latency_ms = (extract(epoch FROM now() - n.started_at) * 1000)::int
        FROM input
        WHERE n.id = input.log_id AND n.status = 'sending'
        RETURNING n.id, n.event_id, n.conversation_id, n.attempt, n.status, n.next_attempt_at
      ), described AS (
        SELECT failed.*, source.event_type AS source_type,
               source.event_type IN ('notification.failed', 'ingestion.failed', 'digest.sent') AS operator_alert
        FROM failed JOIN lead_events source ON source.id = failed.event_id
      ), dead_facts AS (
        INSERT INTO lead_events (event_type, conversation_id, payload, processed_at)
        SELECT 'notification.failed', conversation_id,
               jsonb_build_object(
                 'title', initcap($5) || ' delivery failed permanently (' || source_type || ')',
                 'detail', $4 || '. Fix the cause, then retry it from the admin panel (Failed) or POST /api/admin/failed/' || id || '/retry.',
                 'failed_channel', $5, 'event_id', event_id::text, 'notification_log_id', id::text,
                 'operator_alert', operator_alert),
               CASE WHEN operator_alert THEN now() END
        FROM described WHERE status = 'dead'
      )
      INSERT INTO conversation_timeline (conversation_id, event_type, title, description, actor_type, metadata)
      SELECT conversation_id,
             CASE WHEN status = 'dead' THEN 'notification.failed' ELSE 'notification.retrying' END,
             initcap($5) || CASE WHEN status = 'dead' THEN ' delivery failed permanently' ELSE ' delivery failed, will retry' END,
             'Attempt ' || attempt || ': ' || $4
               || CASE WHEN next_attempt_at IS NOT NULL THEN '. Next attempt at ' || to_char(next_attempt_at AT TIME ZONE 'UTC', 'HH24:MI:SS') || ' UTC' ELSE '' END,
             'system', jsonb_build_object('channel', $5, 'error_kind', $3, 'notification_log_id', id::text)
      FROM described WHERE conversation_id IS NOT NULL`,
    values: [
      failure.deliveries.map((delivery) => delivery.logId),
      failure.deliveries.map((delivery) => delivery.nextAttemptAt ?? null),
      failure.kind,
      failure.errorMessage,
      failure.channel,
    ],
  });
}
