import { withTransaction, type Pool } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { throughClient } from '../queue/through-client.ts';
import type { ChannelName } from '../shared/channel-names.ts';
import { deliveryQueueName, type DeliveryJobData } from './delivery-job.ts';
import { heldDeliveriesSql } from './held-deliveries-sql.ts';

export interface EnabledEndpoint {
  /** False when the endpoint was not disabled (nothing changed). */
  wasDisabled: boolean;
  /** Held deliveries queued again. */
  resent: number;
}

const INSERT_CHUNK = 1_000;

/**
 * Enables a disabled endpoint and, unless `resend` is false, queues every delivery it held (with a fresh
 * attempt budget). The state change, the marks on the held attempts (`retried_at`) and the new jobs commit
 * together, so a double click enables once and sends each held delivery once.
 */
export async function enableWebhookEndpoint(
  pool: Pool,
  boss: JobQueue,
  channel: ChannelName,
  options: { resend: boolean },
): Promise<EnabledEndpoint> {
  return withTransaction(pool, async (client) => {
    const { rows: state } = await client.query<{ disabled_at: Date }>(
      /* sql */ `SELECT disabled_at FROM webhook_endpoints WHERE channel = $1 AND disabled_at IS NOT NULL FOR UPDATE`,
      [channel],
    );
    const disabledAt = state[0]?.disabled_at;
    if (disabledAt === undefined) return { wasDisabled: false, resent: 0 };
    await client.query(
      /* sql */ `UPDATE webhook_endpoints SET disabled_at = NULL, enabled_at = now(), updated_at = now() WHERE channel = $1`,
      [channel],
    );
    if (!options.resend) return { wasDisabled: true, resent: 0 };
    const { rows: held } = await client.query<{ event_id: string; round: number }>(
      /* sql */ `
        WITH held AS (${heldDeliveriesSql('$1', '$2')}),
        marked AS (
          UPDATE notification_logs n SET retried_at = now() FROM held WHERE n.id = held.id RETURNING held.event_id, held.round
        )
        SELECT event_id::text, round FROM marked ORDER BY event_id`,
      [channel, disabledAt],
    );
    const db = throughClient(client);
    for (let start = 0; start < held.length; start += INSERT_CHUNK) {
      const jobs = held.slice(start, start + INSERT_CHUNK).map((row) => ({
        data: { eventId: row.event_id, round: row.round, tries: 0 } satisfies DeliveryJobData,
      }));
      await boss.insert(deliveryQueueName(channel), jobs, { db });
    }
    return { wasDisabled: true, resent: held.length };
  });
}
