import type { Logger } from 'pino';
import type { Pool } from '../db/create-pool.ts';
import { failOrphanedJobs } from '../queue/fail-orphaned-jobs.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import type { ProcessPresence } from './start-process-presence.ts';

const TAKEOVER_INTERVAL_MS = 2_000;

/**
 * Takes over what dead processes held, at start-up and every two seconds: their pg-boss jobs (handed back
 * for an immediate retry; see failOrphanedJobs). The retried deliveries then close the dead process's
 * `sending` attempts as interrupted (beginDeliveryAttempts), flagging the repeat as a possible duplicate.
 * Skipped while this process's own heartbeat is unsettled (just after a database outage every process looks
 * dead until it beats again).
 */
export function startDeadWorkTakeover(deps: {
  pool: Pool;
  boss: JobQueue;
  presence: ProcessPresence;
  queues: readonly string[];
  logger: Logger;
  onError: (error: unknown) => void;
}): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> | undefined;
  const pass = async () => {
    if (stopped || !deps.presence.isSettled()) return;
    try {
      const taken = await failOrphanedJobs(deps.pool, deps.boss, deps.queues);
      if (taken > 0) deps.logger.warn({ jobs: taken }, 'took over the jobs of a process that stopped; they run again now');
    } catch (error) {
      deps.onError(error);
    }
  };
  const tick = () => {
    running ??= pass().finally(() => {
      running = undefined;
    });
  };
  tick();
  const timer = setInterval(tick, TAKEOVER_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
