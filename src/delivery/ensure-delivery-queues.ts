import { CHANNEL_NAMES } from '../channels/channel.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { deliveryQueueName } from './delivery-job.ts';

/**
 * Seconds a worker may hold a delivery job before pg-boss hands it to another worker: covers the pacing
 * wait plus the provider's 10 s timeout. A worker that dies mid-send loses its job to this timeout.
 */
export const DELIVERY_JOB_EXPIRE_SECONDS = 30;

/** A `sending` attempt older than this belongs to a dead process (a little longer than the job expiry). */
export const DELIVERY_LEASE_MS = (DELIVERY_JOB_EXPIRE_SECONDS + 5) * 1_000;

/**
 * Creates the delivery queues (idempotent). Every role needs them: the relay enqueues and the admin API
 * re-enqueues dead letters. Notify queues wake workers at once; a partition per queue keeps fetches fast as
 * finished jobs pile up (FINDINGS.md). pg-boss's own retries only cover crashed workers: provider errors are
 * classified and rescheduled by the worker itself.
 */
export async function ensureDeliveryQueues(boss: JobQueue): Promise<void> {
  for (const channel of CHANNEL_NAMES) {
    const name = deliveryQueueName(channel);
    if (await boss.getQueue(name)) continue;
    await boss
      .createQueue(name, {
        notify: true,
        partition: true,
        expireInSeconds: DELIVERY_JOB_EXPIRE_SECONDS,
        retryLimit: 20,
        retryDelay: 1,
        retryBackoff: true,
        retryDelayMax: 60,
        deleteAfterSeconds: 24 * 3600,
      })
      .catch(async (error: unknown) => {
        // Another process created it between our check and our create.
        if (!(await boss.getQueue(name))) throw error;
      });
  }
}
