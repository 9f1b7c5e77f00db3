import type { JobQueue } from '../queue/start-job-queue.ts';

/** The queue of the SLA timers of earlier versions (two pg-boss jobs per lead); the monitor is a sweep now. */
const LEGACY_TIMER_QUEUE = 'sla-timer';

/** An upgraded install drops that queue and its waiting jobs once: the sweep covers every open lead. */
export async function removeLegacyTimerQueue(boss: JobQueue): Promise<void> {
  if (await boss.getQueue(LEGACY_TIMER_QUEUE)) await boss.deleteQueue(LEGACY_TIMER_QUEUE);
}
