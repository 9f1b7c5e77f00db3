import { AGENT_CHANNEL_KINDS, CHANNEL_NAMES, type ChannelName } from '../shared/channel-names.ts';
import { ensureQueue, JOB_HEARTBEAT_SECONDS } from '../queue/ensure-queue.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { agentDeliveryQueueName, deliveryQueueName } from './delivery-job.ts';

/**
 * Seconds a worker may hold a delivery job before pg-boss hands it to another worker: covers the longest
 * send slot a handler waits for (MAX_SLOT_WAIT_MS) plus the provider's 10 s timeout. A worker that dies is
 * found much sooner, by its stopped heartbeat (failOrphanedJobs).
 */
export const DELIVERY_JOB_EXPIRE_SECONDS = 30;

/**
 * A `sending` attempt older than this is closed as interrupted even when its process still beats (a
 * handler that lost its way); attempts of a dead process are closed as soon as it is found dead.
 */
export const DELIVERY_LEASE_MS = (DELIVERY_JOB_EXPIRE_SECONDS + 5) * 1_000;

/**
 * Creates the delivery queues (idempotent): one per alert channel, and one per configured webhook endpoint
 * (`channels`). Every role needs them: the relay enqueues and the admin API re-enqueues dead letters. Notify
 * queues wake workers at once; a partition per queue keeps fetches fast as finished jobs pile up. pg-boss's
 * own retries only cover crashed workers: provider errors are classified and rescheduled by the worker itself.
 */
export async function ensureDeliveryQueues(boss: JobQueue, channels: readonly ChannelName[] = []): Promise<void> {
  const queues = new Set([...[...CHANNEL_NAMES, ...channels].map(deliveryQueueName), ...AGENT_CHANNEL_KINDS.map(agentDeliveryQueueName)]);
  for (const queue of queues) {
    await ensureQueue(boss, queue, {
      notify: true,
      partition: true,
      expireInSeconds: DELIVERY_JOB_EXPIRE_SECONDS,
      heartbeatSeconds: JOB_HEARTBEAT_SECONDS,
      // pg-boss retries a job only when its handler failed at the database (a cut connection, a restart):
      // provider errors are classified by the worker itself. Once the database answers again the alert
      // should follow within seconds, so the backoff stops at 5 s (at 60 s, a 15 s storm of cut connections
      // left jobs that had failed five times waiting half a minute after it ended); 100 retries outlast about
      // eight minutes of a flapping database before pg-boss gives a job up.
      retryLimit: 100,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 5,
      deleteAfterSeconds: 24 * 3600,
    });
  }
}

/** The alert channels' queues and the agents' ones, which exist in every installation. */
export const DELIVERY_QUEUES: readonly string[] = [
  ...CHANNEL_NAMES.map(deliveryQueueName),
  ...AGENT_CHANNEL_KINDS.map(agentDeliveryQueueName),
];

/** The queues of these channels and of every alert channel: what a worker takes over from dead processes. */
export function deliveryQueuesOf(channels: readonly ChannelName[]): string[] {
  return [...new Set([...DELIVERY_QUEUES, ...channels.map(deliveryQueueName)])];
}
