import { AppError } from '../shared/app-error.ts';
import { isAgentChannel, type ChannelName } from '../shared/channel-names.ts';
import { throughClient } from '../queue/through-client.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { deliveryJobData, deliveryQueueName, type DeliveryJobData } from './delivery-job.ts';

/**
 * Sends a dead delivery again with a fresh attempt budget. Marking the dead row `retried_at` and enqueueing
 * the job commit together, so a double click re-sends once. Returns undefined when the id is not a dead,
 * unretried delivery; a conflict when its channel is no longer configured (a removed webhook endpoint has
 * no queue and no worker).
 */
export async function retryDeadDelivery(
  pool: Pool,
  boss: JobQueue,
  notificationLogId: string,
  configured: readonly ChannelName[],
): Promise<{ eventId: string; channel: ChannelName } | undefined> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ event_id: string; channel: ChannelName; round: number }>(
      /* sql */ `
        UPDATE notification_logs SET retried_at = now()
        WHERE id = $1 AND status = 'dead' AND retried_at IS NULL
        RETURNING event_id::text, channel, round`,
      [notificationLogId],
    );
    const dead = rows[0];
    if (!dead) return undefined;
    // An agent's address is no configured channel: the agent's row decides it (a worker closes it if it is gone).
    if (!isAgentChannel(dead.channel) && !configured.includes(dead.channel)) {
      throw new AppError(
        'conflict',
        `${dead.channel} is no longer configured, so nothing can send this delivery; configure it again first`,
      );
    }
    const db = throughClient(client);
    const job: { data: DeliveryJobData } = { data: deliveryJobData(dead.channel, { eventId: dead.event_id, round: dead.round, tries: 0 }) };
    await boss.insert(deliveryQueueName(dead.channel), [job], { db });
    return { eventId: dead.event_id, channel: dead.channel };
  });
}
