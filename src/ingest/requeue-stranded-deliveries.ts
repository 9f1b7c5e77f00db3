import { META_INGEST_QUEUE, META_SOURCE, type IngestDeps } from './ingest-deps.ts';
import type { MetaIngestJob } from './store-meta-delivery.ts';

/** A payload still `received` this long after arrival, with no live job, has lost its job. */
const STRANDED_AFTER_MS = 15 * 60_000;
const MAX_PER_SWEEP = 100;
const LIVE_STATES = new Set(['created', 'retry', 'active']);

/**
 * The backstop for a payload whose job ended without settling it (its last retry died on a database
 * error, or a job was deleted by hand): re-queues Meta payloads still `received` after a while that have
 * no queued, retrying or active job. Capture is idempotent, so a rare extra job costs one lookup.
 */
export async function requeueStrandedDeliveries(deps: Pick<IngestDeps, 'db' | 'boss' | 'clock' | 'logger'>): Promise<number> {
  const stale = await deps.db.query<{ id: string }>(
    /* sql */ `SELECT id::text FROM raw_leads
               WHERE source = $1 AND status = 'received' AND external_id IS NOT NULL AND received_at < $2
               ORDER BY id LIMIT $3`,
    [META_SOURCE, new Date(deps.clock.now().getTime() - STRANDED_AFTER_MS), MAX_PER_SWEEP],
  );
  let requeued = 0;
  for (const { id } of stale.rows) {
    const jobs = await deps.boss.findJobs(META_INGEST_QUEUE, { data: { rawLeadId: id } });
    if (jobs.some((job) => LIVE_STATES.has(job.state))) continue;
    await deps.boss.send(META_INGEST_QUEUE, { rawLeadId: id } satisfies MetaIngestJob);
    requeued += 1;
  }
  if (requeued > 0) deps.logger.warn({ requeued }, 'Meta payloads without a live ingest job were queued again');
  return requeued;
}
