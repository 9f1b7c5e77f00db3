import type { ChannelErrorKind } from '../channels/channel.ts';
import { channelLabel, type ChannelName } from '../shared/channel-names.ts';
import type { Queryable } from '../db/create-pool.ts';
import {
  appendEventsSql,
  appendTimelineSql,
  encodeEvents,
  encodeTimelineEntries,
  newEvent,
  type NewTimelineEntry,
} from '../events/append-events.ts';
import { describeRetry } from '../events/describe-event.ts';
import { DIGEST_EVENTS, OPERATOR_ALERT_EVENTS, type EventType } from '../events/event-types.ts';

export interface FailedDelivery {
  logId: string;
  eventId: string;
  eventType: EventType;
  conversationId: string | null;
  attempt: number;
  /** Present while retries remain; absent when the delivery is dead. */
  nextAttemptAt: Date | undefined;
}

/**
 * Records a failed attempt. A delivery with a next attempt stays `failed` (a timeline line says a retry
 * comes); one without is `dead`, which also writes a `notification.failed` event with its alert text in
 * `operator_alerts`: the relay turns it into an operator alert on the other channels (unless the dead
 * delivery was itself an operator alert or the digest: that would loop). Attempts no longer `sending`
 * (closed as interrupted meanwhile) are left alone.
 */
export async function recordFailedDeliveries(
  db: Queryable,
  failure: { channel: ChannelName; kind: ChannelErrorKind; errorMessage: string; deliveries: FailedDelivery[] },
): Promise<void> {
  const dead = failure.deliveries.filter((delivery) => delivery.nextAttemptAt === undefined);
  const events = dead.map((delivery) =>
    newEvent(
      'notification.failed',
      delivery.conversationId,
      {
        event_id: delivery.eventId,
        event_type: delivery.eventType,
        failed_channel: failure.channel,
        notification_log_id: delivery.logId,
        operator_alert: OPERATOR_ALERT_EVENTS.has(delivery.eventType) || DIGEST_EVENTS.has(delivery.eventType),
      },
      { ref: delivery.logId, describe: { detail: `Attempt ${delivery.attempt}: ${failure.errorMessage}` } },
    ),
  );
  const alerts = dead.map((delivery) => ({
    ref: delivery.logId,
    title: `${channelLabel(failure.channel)} delivery failed permanently (${delivery.eventType})`,
    detail: `${failure.errorMessage}. Fix the cause, then retry it from the admin panel (Failed) or POST /api/admin/failed/delivery-${delivery.logId}/retry.`,
  }));
  const retries: NewTimelineEntry[] = failure.deliveries.flatMap((delivery) =>
    delivery.nextAttemptAt !== undefined && delivery.conversationId !== null
      ? [
          {
            type: 'notification.retrying' as const,
            conversationId: delivery.conversationId,
            ref: delivery.logId,
            text: {
              ...describeRetry(failure.channel, delivery.attempt, failure.errorMessage, delivery.nextAttemptAt),
              metadata: { channel: failure.channel, error_kind: failure.kind, notification_log_id: delivery.logId },
            },
          },
        ]
      : [],
  );
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
        RETURNING n.id
      ),${appendEventsSql(5, { refsIn: 'SELECT id::text FROM failed' })},
      alert_texts AS (
        INSERT INTO operator_alerts (event_id, title, detail)
        SELECT i.new_id, a.title, a.detail
        FROM appended_input i
        JOIN appended_events e ON e.id = i.new_id
        JOIN jsonb_to_recordset($6::jsonb) AS a(ref text, title text, detail text) ON a.ref = i.ref
      ),${appendTimelineSql(7, { refsIn: 'SELECT id::text FROM failed' })}
      SELECT count(*)::int AS failed FROM failed`,
    values: [
      failure.deliveries.map((delivery) => delivery.logId),
      failure.deliveries.map((delivery) => delivery.nextAttemptAt ?? null),
      failure.kind,
      failure.errorMessage,
      encodeEvents(events),
      JSON.stringify(alerts),
      encodeTimelineEntries(retries),
    ],
  });
}
