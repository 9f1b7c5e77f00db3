import type { Queryable } from '../db/create-pool.ts';
import type { ChannelName } from '../shared/channel-names.ts';

/** Whether the endpoint of `channel` is disabled (a 410 from its receiver); endpoints without a row are not. */
export async function isWebhookEndpointDisabled(db: Queryable, channel: ChannelName): Promise<boolean> {
  const { rows } = await db.query<{ disabled: boolean }>({
    name: 'is-webhook-endpoint-disabled',
    text: /* sql */ `SELECT disabled_at IS NOT NULL AS disabled FROM webhook_endpoints WHERE channel = $1`,
    values: [channel],
  });
  return rows[0]?.disabled ?? false;
}
