import { withTransaction, type Pool } from '../db/create-pool.ts';
import { JOB_SCHEMA, type JobQueue } from './start-job-queue.ts';
import { throughClient } from './through-client.ts';

/**
 * pg-boss refreshes `heartbeat_on` of the jobs a live worker holds every JOB_HEARTBEAT_REFRESH_SECONDS (on
 * queues created with `heartbeatSeconds`). A job whose heartbeat is this much older belongs to a process
 * that died: five missed refreshes, well past a GC pause, far sooner than pg-boss's own heartbeat check
 * (at least 10 s plus its supervise interval) or the job's expiry.
 */
export const ORPHANED_AFTER_SECONDS = 5;

interface OrphanRow {
  id: string;
  name: string;
  retry_count: number;
  data: object | null;
  priority: number;
}

/**
 * Hands the active jobs of `queues` whose worker stopped beating back to the queue, to run now: each is
 * cancelled (fenced to the attempt seen here, so a job another worker claimed meanwhile is left alone) and a
 * copy with the same data and priority is queued in the same transaction. A copy rather than pg-boss's own
 * retry, which would wait out a backoff that grows with every crash. Reads pg-boss's job table directly,
 * because pg-boss does not say which process holds a job; the columns used are pg-boss 12's, pinned by
 * package.json and checked by a test. Returns how many jobs were taken over.
 */
export async function failOrphanedJobs(pool: Pool, boss: JobQueue, queues: readonly string[]): Promise<number> {
  const { rows } = await pool.query<OrphanRow>({
    name: 'find-orphaned-jobs',
    text: /* sql */ `
      SELECT id::text, name, retry_count, data, priority FROM ${JOB_SCHEMA}.job
      WHERE name = ANY($1::text[]) AND state = 'active' AND heartbeat_seconds IS NOT NULL
        AND heartbeat_on < now() - make_interval(secs => $2)
      LIMIT 1000`,
    values: [queues, ORPHANED_AFTER_SECONDS],
  });
  if (rows.length === 0) return 0;
  const byQueue = new Map<string, OrphanRow[]>();
  for (const row of rows) byQueue.set(row.name, [...(byQueue.get(row.name) ?? []), row]);
  let taken = 0;
  for (const [queue, orphans] of byQueue) {
    taken += await withTransaction(pool, async (client) => {
      const db = throughClient(client);
      const cancelled: { settled?: string[] } = await boss.cancel(
        queue,
        orphans.map((orphan) => ({ id: orphan.id, retryCount: orphan.retry_count })),
        { db },
      );
      const settled = new Set(cancelled.settled ?? []);
      const copies = orphans.filter((orphan) => settled.has(orphan.id));
      if (copies.length > 0) {
        await boss.insert(
          queue,
          copies.map((orphan) => ({ data: orphan.data ?? {}, priority: orphan.priority })),
          { db },
        );
      }
      return copies.length;
    });
  }
  return taken;
}
