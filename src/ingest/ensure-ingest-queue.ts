import { ensureQueue, JOB_HEARTBEAT_SECONDS } from '../queue/ensure-queue.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { META_INGEST_QUEUE } from './ingest-deps.ts';

/**
 * Retries of one Graph fetch (transient errors). With backoff from 2 s (capped at 10 min) eight retries
 * span roughly half an hour; after that the payload is marked failed in raw_leads and waits for a replay.
 */
export const INGEST_RETRY_LIMIT = 8;

const created = new WeakMap<JobQueue, Promise<void>>();

/**
 * pg-boss refuses jobs for a queue that does not exist, and the API process (which enqueues) may start
 * before any worker. Both sides call this; it runs once per pg-boss instance.
 */
export function ensureIngestQueue(boss: JobQueue): Promise<void> {
  let pending = created.get(boss);
  if (!pending) {
    pending = ensureQueue(boss, META_INGEST_QUEUE, {
      // NOTIFY wakes a worker the moment a delivery is stored (polling alone: p99 7.9 s; with NOTIFY: 13 ms).
      notify: true,
      heartbeatSeconds: JOB_HEARTBEAT_SECONDS,
      retryLimit: INGEST_RETRY_LIMIT,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 600,
      expireInSeconds: 120,
      // Jobs wait out a long rate limit or a paused source; raw_leads keeps the payload regardless.
      retentionSeconds: 7 * 24 * 3600,
    });
    pending.catch(() => created.delete(boss));
    created.set(boss, pending);
  }
  return pending;
}
