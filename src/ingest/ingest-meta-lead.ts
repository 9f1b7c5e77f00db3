import { captureLead } from '../capture/capture-lead.ts';
import { findLeadByIdempotencyKeys } from '../capture/insert-captured-lead.ts';
import { GraphError } from './classify-graph-error.ts';
import { fetchMetaLead } from './fetch-meta-lead.ts';
import { META_INGEST_QUEUE, META_SOURCE, type IngestDeps } from './ingest-deps.ts';
import { metaLeadToDraft } from './meta-lead-to-draft.ts';
import { metaTokenAlert } from './meta-token-alert.ts';
import { parseMetaWebhook } from './parse-meta-webhook.ts';
import { pauseSource } from './pause-source.ts';
import { readSourceState } from './read-source-state.ts';
import type { MetaIngestJob } from './store-meta-delivery.ts';
import { findRawLead, markCapturedDeliveries, markRawLead } from './update-raw-leads.ts';

export type IngestOutcome = 'captured' | 'duplicate' | 'paused' | 'deferred' | 'failed' | 'skipped';

/** Without a provider estimate, a rate-limited fetch waits 1 min, doubling per deferral, at most 15 min. */
const RATE_LIMIT_BASE_SECONDS = 60;
const RATE_LIMIT_MAX_SECONDS = 15 * 60;
/** Even an "access is back now" estimate waits a moment, so a burst does not hammer the limit. */
const RATE_LIMIT_MIN_SECONDS = 1;

/** Thrown to make pg-boss retry the job with backoff (transient Graph or network failure). */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

/**
 * One ingest job: fetch the lead a stored webhook change points at and capture it. Idempotent: a lead
 * already captured (by another delivery, a replay or the poller) costs no Graph call. While the source is
 * paused the payload is parked as `paused` for replay; a token error pauses the source and raises one
 * operator alert; a rate limit re-queues the job after the wait; a transient error throws RetryLater until
 * `finalAttempt`, when the payload is marked failed.
 */
export async function ingestMetaLead(deps: IngestDeps, job: MetaIngestJob, finalAttempt: boolean): Promise<IngestOutcome> {
  const raw = await findRawLead(deps.db, job.rawLeadId);
  if (!raw || raw.source !== META_SOURCE || raw.status === 'processed' || raw.externalId === null) return 'skipped';
  const leadgenId = raw.externalId;
  const now = () => deps.clock.now();

  if (await findLeadByIdempotencyKeys(deps.db, [`meta:${leadgenId}`])) {
    await markCapturedDeliveries(deps.db, META_SOURCE, [leadgenId], now());
    return 'duplicate';
  }
  const state = await readSourceState(deps.db, META_SOURCE);
  if (state?.status === 'paused') {
    await markRawLead(deps.db, raw.id, { status: 'paused', errorMessage: state.lastError, countAttempt: false, at: now() });
    return 'paused';
  }

  const parsed = parseMetaWebhook(raw.body);
  const change = parsed.ok ? parsed.changes.find((item) => item.leadgenId === leadgenId) : undefined;

  let lead;
  try {
    lead = await fetchMetaLead({ graphUrl: deps.meta.graphUrl, accessToken: deps.meta.accessToken }, leadgenId);
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    switch (error.kind) {
      case 'token': {
        const paused = await pauseSource(deps.db, META_SOURCE, error.message, metaTokenAlert(error.message), now());
        if (paused) deps.announce?.();
        if (paused)
          deps.logger.error({ code: error.code, subcode: error.subcode }, 'Meta ingestion paused: the Graph API refused the access token');
        await markRawLead(deps.db, raw.id, { status: 'paused', errorMessage: error.message, countAttempt: true, at: now() });
        return 'paused';
      }
      case 'rate_limited': {
        const deferrals = (job.deferrals ?? 0) + 1;
        const waitSeconds = Math.max(
          RATE_LIMIT_MIN_SECONDS,
          error.retryAfterSeconds ?? Math.min(RATE_LIMIT_MAX_SECONDS, RATE_LIMIT_BASE_SECONDS * 2 ** (deferrals - 1)),
        );
        await markRawLead(deps.db, raw.id, {
          status: 'received',
          errorMessage: `${error.message}; retrying in ${waitSeconds} s`,
          countAttempt: true,
          at: now(),
        });
        await deps.boss.send(META_INGEST_QUEUE, { rawLeadId: raw.id, deferrals } satisfies MetaIngestJob, { startAfter: waitSeconds });
        deps.logger.warn({ code: error.code, waitSeconds }, 'Graph API rate limit: lead fetch postponed');
        return 'deferred';
      }
      case 'transient': {
        await markRawLead(deps.db, raw.id, {
          status: finalAttempt ? 'failed' : 'received',
          errorMessage: error.message,
          countAttempt: true,
          at: now(),
        });
        if (finalAttempt) return 'failed';
        throw new RetryLater(error.message, { cause: error });
      }
      case 'permanent':
        await markRawLead(deps.db, raw.id, { status: 'failed', errorMessage: error.message, countAttempt: true, at: now() });
        return 'failed';
    }
  }

  const converted = metaLeadToDraft(
    lead,
    { pageId: change?.pageId, formId: change?.formId, adgroupId: change?.adgroupId, via: 'webhook' },
    deps.defaultPhoneRegion,
  );
  if ('problem' in converted) {
    await markRawLead(deps.db, raw.id, { status: 'failed', errorMessage: converted.problem, countAttempt: true, at: now() });
    return 'failed';
  }
  const result = await captureLead(deps, converted.draft);
  await markCapturedDeliveries(deps.db, META_SOURCE, [leadgenId], now());
  return result.duplicate ? 'duplicate' : 'captured';
}
