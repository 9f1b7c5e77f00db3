import type { Queryable } from '../db/create-pool.ts';
import type { ChannelName } from '../shared/channel-names.ts';
import { heldDeliveriesSql } from './held-deliveries-sql.ts';

export interface WebhookEndpointDeliveryState {
  channel: ChannelName;
  disabled_at: Date | null;
  disabled_reason: string | null;
  enabled_at: Date | null;
  /** Deliveries held while disabled, sent when the endpoint is enabled. */
  held: number;
  /** Attempts started in the last 24 hours, by how they ended (`failed` includes ones that will be retried). */
  last_24h: { sent: number; failed: number; dead: number; skipped: number; sending: number };
  last_sent_at: Date | null;
  last_failed_at: Date | null;
  last_error: string | null;
}

/** Each endpoint's state and recent deliveries, in one query, in the order given. */
export async function listWebhookEndpoints(db: Queryable, channels: readonly ChannelName[]): Promise<WebhookEndpointDeliveryState[]> {
  if (channels.length === 0) return [];
  const { rows } = await db.query<WebhookEndpointDeliveryState>({
    name: 'list-webhook-endpoints',
    text: /* sql */ `
      SELECT c.channel, w.disabled_at, w.disabled_reason, w.enabled_at,
             CASE WHEN w.disabled_at IS NULL THEN 0
                  ELSE (SELECT count(*)::int FROM (${heldDeliveriesSql('c.channel', 'w.disabled_at')}) h) END AS held,
             jsonb_build_object('sent', s.sent, 'failed', s.failed, 'dead', s.dead, 'skipped', s.skipped, 'sending', s.sending) AS last_24h,
             (SELECT n.finished_at FROM notification_logs n
               WHERE n.channel = c.channel AND n.channel LIKE 'webhook:%' AND n.status = 'sent'
               ORDER BY n.created_at DESC LIMIT 1) AS last_sent_at,
             f.finished_at AS last_failed_at, f.error_message AS last_error
      FROM unnest($1::text[]) WITH ORDINALITY AS c(channel, position)
      LEFT JOIN webhook_endpoints w ON w.channel = c.channel
      CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE n.status = 'sent')::int AS sent,
               count(*) FILTER (WHERE n.status = 'failed')::int AS failed,
               count(*) FILTER (WHERE n.status = 'dead')::int AS dead,
               count(*) FILTER (WHERE n.status = 'skipped')::int AS skipped,
               count(*) FILTER (WHERE n.status = 'sending')::int AS sending
        FROM notification_logs n
        WHERE n.channel = c.channel AND n.channel LIKE 'webhook:%' AND n.created_at > now() - interval '24 hours'
      ) s
      LEFT JOIN LATERAL (
        SELECT n.finished_at, n.error_message FROM notification_logs n
        WHERE n.channel = c.channel AND n.channel LIKE 'webhook:%' AND n.status IN ('failed', 'dead')
        ORDER BY n.created_at DESC LIMIT 1
      ) f ON true
      ORDER BY c.position`,
    values: [channels],
  });
  return rows;
}
