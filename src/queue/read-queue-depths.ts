import type { JobQueue } from './start-job-queue.ts';

/** Ready, active and deferred jobs per queue, from pg-boss's cached queue stats (no scan of the job table). */
export async function readQueueDepths(
  boss: JobQueue,
  names: readonly string[],
): Promise<{ queue: string; ready: number; active: number; deferred: number }[]> {
  const queues = await boss.getQueues([...names]);
  return queues.map((queue) => ({ queue: queue.name, ready: queue.readyCount, active: queue.activeCount, deferred: queue.deferredCount }));
}
