import type { Queue } from 'pg-boss';
import type { JobQueue } from './start-job-queue.ts';

export type QueueSettings = Omit<Queue, 'name'>;

/**
 * Every worker queue declares a heartbeat: pg-boss refreshes `heartbeat_on` of the jobs a live worker holds,
 * and failOrphanedJobs hands back jobs whose heartbeat stopped. 10 s is pg-boss's minimum (its own check is
 * the slow backstop); workers refresh every JOB_HEARTBEAT_REFRESH_SECONDS.
 */
export const JOB_HEARTBEAT_SECONDS = 10;
export const JOB_HEARTBEAT_REFRESH_SECONDS = 1;

/**
 * Creates the queue, or brings an existing one to `settings` (a queue created by an older version lacks the
 * heartbeat). Safe when several processes start at once.
 */
export async function ensureQueue(boss: JobQueue, name: string, settings: QueueSettings): Promise<void> {
  const existing = await boss.getQueue(name);
  if (!existing) {
    try {
      await boss.createQueue(name, settings);
      return;
    } catch (error) {
      // Another process created it between our check and our create.
      if (!(await boss.getQueue(name))) throw error;
    }
  }
  const { partition: _partition, policy: _policy, deadLetter, ...mutable } = settings;
  await boss.updateQueue(name, { ...mutable, ...(deadLetter === undefined ? {} : { deadLetter }) });
}
