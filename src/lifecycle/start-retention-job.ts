import type { Logger } from 'pino';
import type { Pool } from '../db/create-pool.ts';
import { ensureQueue, JOB_HEARTBEAT_REFRESH_SECONDS, JOB_HEARTBEAT_SECONDS } from '../queue/ensure-queue.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import type { Clock } from '../shared/clock.ts';
import { applyPendingErasures } from './apply-pending-erasures.ts';
import { PRUNED_TABLES, pruneExpiredRows, type PrunedTable, type RetentionSettings } from './prune-expired-rows.ts';

export const RETENTION_QUEUE = 'retention-prune';

/**
 * Once a day, at a quiet hour in UTC. pg-boss's scheduler makes one job per slot however many workers
 * schedule it, and the prune's advisory lock keeps a retried or hand-started run from overlapping.
 */
export const RETENTION_CRON = '17 3 * * *';

export interface RetentionJobDeps {
  pool: Pool;
  boss: JobQueue;
  clock: Clock;
  logger: Logger;
  retention: RetentionSettings;
  /** Told of every batch (the `leadline_retention_pruned_total` counter). */
  onPruned?: (table: PrunedTable, rows: number) => void;
}

/**
 * The daily prune, in the worker role: registers the schedule (an upsert, so every worker may) and works its
 * jobs. A million expired rows take minutes in batches; the job's expiry allows an hour and its heartbeat
 * tells pg-boss the worker is alive meanwhile.
 */
export async function startRetentionJob(deps: RetentionJobDeps): Promise<{ stop(): Promise<void> }> {
  await ensureQueue(deps.boss, RETENTION_QUEUE, {
    // A run asked for by hand (a job sent to the queue) starts at once.
    notify: true,
    expireInSeconds: 3_600,
    heartbeatSeconds: JOB_HEARTBEAT_SECONDS,
    retryLimit: 2,
    retryDelay: 600,
    // A finished prune job is of no interest after a week (pg-boss deletes it itself).
    deleteAfterSeconds: 7 * 86_400,
  });
  // Every table's series exists from the start (at 0), so a dashboard sees the job before its first run.
  for (const table of PRUNED_TABLES) deps.onPruned?.(table, 0);
  await deps.boss.schedule(RETENTION_QUEUE, RETENTION_CRON, {}, { tz: 'UTC' });
  // A shutdown must not wait for a long prune: it stops after the batch in flight.
  const stopping = new AbortController();
  const workerId = await deps.boss.work(
    RETENTION_QUEUE,
    { pollingIntervalSeconds: 30, heartbeatRefreshSeconds: JOB_HEARTBEAT_REFRESH_SECONDS },
    async () => {
      const lateErasures = await applyPendingErasures(deps.pool, deps.clock.now());
      if (lateErasures > 0)
        deps.logger.info({ erased: lateErasures }, 'retention: erased leads whose erasure was asked for before they arrived');
      const result = await pruneExpiredRows(deps.pool, {
        now: deps.clock.now(),
        retention: deps.retention,
        ...(deps.onPruned ? { onBatch: deps.onPruned } : {}),
        signal: stopping.signal,
      });
      if (!result.ran) deps.logger.info('retention: another process is pruning; skipped');
      else deps.logger.info({ pruned: result.pruned, durationMs: result.durationMs }, 'retention: expired rows pruned');
    },
  );
  return {
    async stop() {
      stopping.abort();
      await deps.boss.offWork(RETENTION_QUEUE, { id: workerId, wait: true });
    },
  };
}
