import type { Queryable } from '../db/create-pool.ts';
import { JOB_SCHEMA, type JobQueue } from './start-job-queue.ts';

/**
 * pg-boss refreshes `heartbeat_on` of the jobs a live worker holds every JOB_HEARTBEAT_REFRESH_SECONDS (on
 * queues created with `heartbeatSeconds`). A job whose heartbeat is this much older belongs to a process
 * that died: five missed refreshes, well past a GC pause, far sooner than pg-boss's own heartbeat check
 * (at least 10 s plus its supervise interval) or the job's expiry.
 */
export const ORPHANED_AFTER_SECONDS = 5;

/**
 * Fails (so pg-boss retries them at once, with the same data) the active jobs of `queues` whose worker
 * stopped beating. Reads pg-boss's job table directly, because pg-boss does not say which process holds a
 * job; the columns used (`name`, `state`, `heartbeat_on`, `heartbeat_seconds`) are pg-boss 12's, pinned by
 * package.json and checked by a test. Returns how many jobs were handed back.
 */
export async function failOrphanedJobs(db: Queryable, boss: JobQueue, queues: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ id: string; name: string; retry_count: number }>({
    name: 'find-orphaned-jobs',
    text: /* sql */ `
      SELECT id::text, name, retry_count FROM ${JOB_SCHEMA}.job
      WHERE name = ANY($1::text[]) AND state = 'active' AND heartbeat_seconds IS NOT NULL
        AND heartbeat_on < now() - make_interval(secs => $2)
      LIMIT 1000`,
    values: [queues, ORPHANED_AFTER_SECONDS],
  });
  const byQueue = new Map<string, { id: string; retryCount: number }[]>();
  for (const row of rows) byQueue.set(row.name, [...(byQueue.get(row.name) ?? []), { id: row.id, retryCount: row.retry_count }]);
  let failed = 0;
  for (const [queue, attempts] of byQueue) {
    // Fenced to the attempt seen here: a job that was retried meanwhile is left to its new holder.
    const result: { affected?: number } = await boss.fail(queue, attempts, { reason: 'the process holding this job stopped; taken over' });
    failed += result.affected ?? 0;
  }
  return failed;
}
