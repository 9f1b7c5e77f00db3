import type { Queryable } from '../db/create-pool.ts';
import { appendEventsSql, encodeEvents, newEvent } from '../events/append-events.ts';
import type { EventType } from '../events/event-types.ts';
import { channelLabel, type ChannelName } from '../shared/channel-names.ts';

/** Why a delivery of a disabled endpoint was set aside; the panel and the lead's deliveries show it. */
export const HELD_WHILE_DISABLED =
  'held: the webhook endpoint is disabled (its receiver answered 410 Gone); it is sent when the endpoint is enabled again';

export interface GoneDelivery {
  logId: string;
  eventId: string;
  eventType: EventType;
  conversationId: string | null;
}

/**
 * A receiver answered 410 Gone: in one statement, its attempts close as `failed` with no retry (they are held,
 * not dead: enabling the endpoint sends them), the endpoint is disabled, and, only for the statement that
 * moved it from enabled to disabled, one `notification.failed` event with its operator alert is written (the
 * relay sends it on the alert channels). Postgres re-checks `disabled_at IS NULL` of a concurrent upsert after
 * the first commits, so however many workers get the 410 at once, one alert is raised. Returns whether this
 * call disabled it.
 */
export async function disableWebhookEndpoint(
  db: Queryable,
  input: { channel: ChannelName; endpoint: string; deliveries: readonly GoneDelivery[]; errorMessage: string; reason: string },
): Promise<boolean> {
  const first = input.deliveries[0];
  if (!first) return false;
  const label = channelLabel(input.channel);
  const enablePath = `POST /api/admin/webhook-endpoints/${input.endpoint}/enable`;
  const event = newEvent(
    'notification.failed',
    first.conversationId,
    {
      event_id: first.eventId,
      event_type: first.eventType,
      failed_channel: input.channel,
      notification_log_id: first.logId,
      operator_alert: false,
    },
    {
      idempotencyKey: `webhook.disabled:${input.channel}:${first.logId}`,
      timeline: {
        title: `${label} disabled (${input.reason})`,
        description: 'The receiver asked never to be sent to again; its deliveries are held until an operator enables it.',
        actor: { type: 'system' },
        metadata: { channel: input.channel, notification_log_id: first.logId },
      },
    },
  );
  const { rows } = await db.query<{ disabled: boolean }>({
    name: 'disable-webhook-endpoint',
    text: /* sql */ `
      WITH held AS (
        UPDATE notification_logs n
        SET status = 'failed', error_kind = 'permanent', error_message = $3, next_attempt_at = NULL, finished_at = now(),
            latency_ms = (extract(epoch FROM now() - n.started_at) * 1000)::int
        WHERE n.id = ANY($1::bigint[]) AND n.status = 'sending'
        RETURNING n.id
      ), disabled AS (
        INSERT INTO webhook_endpoints AS w (channel, disabled_at, disabled_reason, disabled_by_log_id, updated_at)
        VALUES ($2, now(), $4, $5, now())
        ON CONFLICT (channel) DO UPDATE
          SET disabled_at = now(), disabled_reason = EXCLUDED.disabled_reason, disabled_by_log_id = EXCLUDED.disabled_by_log_id,
              updated_at = now()
          WHERE w.disabled_at IS NULL
        RETURNING channel
      ),${appendEventsSql(6, { when: 'EXISTS (SELECT 1 FROM disabled)' })},
      alert_text AS (
        INSERT INTO operator_alerts (event_id, title, detail)
        SELECT id, $7, $8 FROM appended_events
      )
      SELECT EXISTS (SELECT 1 FROM disabled) AS disabled, (SELECT count(*) FROM held) AS held`,
    values: [
      input.deliveries.map((delivery) => delivery.logId),
      input.channel,
      input.errorMessage,
      input.reason,
      first.logId,
      encodeEvents([event]),
      `${label} disabled: its receiver answered ${input.reason}`,
      `${input.errorMessage}. Leadline sends nothing more to this endpoint and holds its deliveries; none is lost. ` +
        `When the receiver takes webhooks again, enable the endpoint in the admin panel (Webhooks) or with ${enablePath}: ` +
        'the held deliveries are sent then.',
    ],
  });
  return rows[0]?.disabled ?? false;
}
