import type { JobResult } from 'pg-boss';
import { JOB_HEARTBEAT_REFRESH_SECONDS } from '../queue/ensure-queue.ts';
import { ensureIngestQueue, INGEST_RETRY_LIMIT } from './ensure-ingest-queue.ts';
import { ingestMetaLead, RetryLater } from './ingest-meta-lead.ts';
import { META_INGEST_QUEUE, type IngestDeps } from './ingest-deps.ts';
import { pollMetaForms } from './poll-meta-forms.ts';
import { requeueStrandedDeliveries } from './requeue-stranded-deliveries.ts';
import { resumeMetaIngestion } from './resume-meta-ingestion.ts';
import type { MetaIngestJob } from './store-meta-delivery.ts';

/**
 * Jobs per fetch. With `batchSize > 1` and burst mode a worker keeps fetching while batches come back full
 * (a 1,000-change delivery drains at once); with 1 it would sleep its polling interval after every fetch (pg-boss 12 does, unless a full batch lets it burst).
 */
const BATCH_SIZE = 10;
/** The backstop poll while NOTIFY is up; it is what picks up retries and rate-limit waits when they fall due. */
const NOTIFY_POLLING_SECONDS = 2;

/**
 * The worker side of Meta ingestion: the `meta-ingest` job worker, and a timer that every
 * META_POLL_INTERVAL polls META_FORM_IDS, re-queues payloads that lost their job and, while the source is
 * paused, checks whether the token works again. Every worker process may run this: jobs are claimed once by pg-boss, and polls are coordinated
 * per form (advisory lock + lease), so N processes poll once per interval.
 */
export async function startMetaIngestion(deps: IngestDeps): Promise<{ stop(): Promise<void> }> {
  await ensureIngestQueue(deps.boss);
  const workerId = await deps.boss.work<MetaIngestJob>(
    META_INGEST_QUEUE,
    {
      batchSize: BATCH_SIZE,
      burstWhenBatchFull: true,
      perJobResults: true,
      notifyPollingIntervalSeconds: NOTIFY_POLLING_SECONDS,
      pollingIntervalSeconds: NOTIFY_POLLING_SECONDS,
      heartbeatRefreshSeconds: JOB_HEARTBEAT_REFRESH_SECONDS,
    },
    (jobs) =>
      Promise.all(
        jobs.map(async (job): Promise<JobResult> => {
          try {
            const outcome = await ingestMetaLead(deps, job.data, job.retryCount >= INGEST_RETRY_LIMIT);
            return { id: job.id, status: 'completed', output: { outcome } };
          } catch (error) {
            if (!(error instanceof RetryLater))
              deps.logger.error({ err: error, rawLeadId: job.data.rawLeadId }, 'Meta ingest job failed; pg-boss retries it');
            return { id: job.id, status: 'failed', output: { message: (error as Error).message } };
          }
        }),
      ),
  );

  const polling = Boolean(deps.meta.accessToken);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      const resume = await resumeMetaIngestion(deps);
      if (resume.status === 'still_paused') deps.logger.debug('Meta ingestion still paused: the token is still refused');
      if (resume.status !== 'still_paused') await requeueStrandedDeliveries(deps);
      if (resume.status !== 'still_paused' && deps.meta.formIds.length > 0) {
        const summaries = await pollMetaForms(deps, { force: false });
        const recovered = summaries.reduce((sum, form) => sum + form.recovered, 0);
        if (recovered > 0) deps.logger.warn({ recovered }, 'polling found Meta leads that no webhook delivered');
      }
    } catch (error) {
      deps.logger.error({ err: error }, 'Meta poll failed; the next interval tries again');
    }
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => schedule(deps.meta.pollIntervalMs));
    }, delayMs);
  };
  // The first tick runs at start-up: it catches up on whatever arrived while no worker ran.
  if (polling) schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await deps.boss.offWork(META_INGEST_QUEUE, { id: workerId, wait: true });
    },
  };
}
