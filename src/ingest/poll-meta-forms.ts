import { captureLead } from '../capture/capture-lead.ts';
import { GraphError } from './classify-graph-error.ts';
import { advanceFormCheckpoint, claimFormPoll, finishFormPoll } from './form-poll-state.ts';
import { META_SOURCE, type IngestDeps } from './ingest-deps.ts';
import { insertRawLeadOnce } from './insert-raw-leads.ts';
import { listFormLeads } from './list-form-leads.ts';
import { metaLeadToDraft } from './meta-lead-to-draft.ts';
import { metaTokenAlert } from './meta-token-alert.ts';
import { pauseSource } from './pause-source.ts';
import { readSourceState } from './read-source-state.ts';
import { findDeliveredIds, markCapturedDeliveries } from './update-raw-leads.ts';
import { withAdvisoryLock } from './with-advisory-lock.ts';

/**
 * Each poll re-reads this much before the checkpoint: Meta can make a lead readable a little after its
 * created_time, and a lead that appears late inside an already-polled window would otherwise be skipped.
 */
export const POLL_OVERLAP_MS = 10 * 60_000;
/** A form polled for the first time looks back this far (older leads: POST /api/admin/reconcile?backfill_days=N). */
export const FIRST_POLL_LOOKBACK_MS = 60 * 60_000;
/** Windows are walked oldest first, one day at most, so a long backfill checkpoints its progress. */
const WINDOW_MS = 24 * 60 * 60_000;
/** A guard against a cursor that never ends. */
const MAX_PAGES_PER_WINDOW = 1_000;
/** Meta keeps leads readable for 90 days. */
export const MAX_BACKFILL_DAYS = 90;

export interface FormPollSummary {
  form_id: string;
  status: 'polled' | 'skipped' | 'failed';
  reason?: string;
  /** Leads the Graph API returned (including ones already captured). */
  fetched: number;
  /** Leads new to Leadline. */
  captured: number;
  /** Of those, leads no webhook had delivered. */
  recovered: number;
  /** Leads that could not be captured (kept in raw_leads as failed). */
  failed: number;
  checkpoint: string | null;
}

export interface PollOptions {
  /** An operator's reconcile: waits for a running poll and ignores the once-per-interval lease. */
  force: boolean;
  backfillDays?: number | undefined;
}

/**
 * Polls every form in META_FORM_IDS: `GET /{form_id}/leads` filtered on time_created from the checkpoint
 * (minus an overlap) to now, following cursors, capturing each lead idempotently. The checkpoint moves only
 * after every page of a window is stored, so a crash re-reads instead of skipping. Processes coordinate with
 * an advisory lock per form and a `last_run_at` lease, so N workers poll once per interval, not N times.
 */
export async function pollMetaForms(deps: IngestDeps, options: PollOptions): Promise<FormPollSummary[]> {
  const summaries: FormPollSummary[] = [];
  for (const formId of deps.meta.formIds) {
    const state = await readSourceState(deps.db, META_SOURCE);
    if (state?.status === 'paused') {
      summaries.push(emptySummary(formId, 'skipped', 'Meta ingestion is paused (access token refused)'));
      continue;
    }
    const locked = await withAdvisoryLock(deps.db, `leadline:meta-poll:${formId}`, options.force ? 30_000 : 0, () =>
      pollForm(deps, formId, options),
    );
    summaries.push(locked.ran ? locked.value : emptySummary(formId, 'skipped', 'another process is polling this form'));
  }
  return summaries;
}

function emptySummary(formId: string, status: FormPollSummary['status'], reason?: string): FormPollSummary {
  return { form_id: formId, status, ...(reason ? { reason } : {}), fetched: 0, captured: 0, recovered: 0, failed: 0, checkpoint: null };
}

async function pollForm(deps: IngestDeps, formId: string, options: PollOptions): Promise<FormPollSummary> {
  const startedAt = deps.clock.now();
  const minGapMs = options.force ? 0 : Math.floor(deps.meta.pollIntervalMs * 0.8);
  const claim = await claimFormPoll(deps.db, META_SOURCE, formId, startedAt, minGapMs);
  if (!claim) return emptySummary(formId, 'skipped', 'polled recently by another process');

  const summary = emptySummary(formId, 'polled');
  const until = startedAt.getTime();
  const since = options.backfillDays
    ? until - options.backfillDays * 24 * 60 * 60_000
    : (claim.checkpointAt?.getTime() ?? until - FIRST_POLL_LOOKBACK_MS) - POLL_OVERLAP_MS;
  const settings = { graphUrl: deps.meta.graphUrl, accessToken: deps.meta.accessToken };

  try {
    for (let windowStart = since; windowStart < until; windowStart += WINDOW_MS) {
      const windowEnd = Math.min(windowStart + WINDOW_MS, until);
      let after: string | undefined;
      const seenCursors = new Set<string>();
      for (let page = 0; page < MAX_PAGES_PER_WINDOW; page += 1) {
        const result = await listFormLeads(settings, formId, {
          sinceSeconds: Math.floor(windowStart / 1000),
          untilSeconds: Math.ceil(windowEnd / 1000),
          after,
        });
        const recovered = await storePage(deps, formId, result.leads, summary);
        summary.failed += result.unreadable;
        await advanceFormCheckpoint(deps.db, META_SOURCE, formId, { checkpointAt: null, recovered, at: deps.clock.now() });
        if (!result.after || seenCursors.has(result.after)) break;
        seenCursors.add(result.after);
        after = result.after;
      }
      await advanceFormCheckpoint(deps.db, META_SOURCE, formId, { checkpointAt: new Date(windowEnd), recovered: 0, at: deps.clock.now() });
      summary.checkpoint = new Date(windowEnd).toISOString();
    }
    await finishFormPoll(deps.db, META_SOURCE, formId, { error: null, at: deps.clock.now() });
    return summary;
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    if (error.kind === 'token') {
      const paused = await pauseSource(deps.db, META_SOURCE, error.message, metaTokenAlert(error.message), deps.clock.now());
      if (paused) deps.announce?.();
      if (paused)
        deps.logger.error({ code: error.code, subcode: error.subcode }, 'Meta ingestion paused: the Graph API refused the access token');
    } else
      deps.logger.warn(
        { kind: error.kind, code: error.code, formId },
        'Meta form poll failed; the next poll continues from the checkpoint',
      );
    await finishFormPoll(deps.db, META_SOURCE, formId, { error: error.message, at: deps.clock.now() });
    return { ...summary, status: 'failed', reason: error.message };
  }
}

/** Captures one page of leads; returns how many of them no webhook had delivered. */
async function storePage(
  deps: IngestDeps,
  formId: string,
  leads: Awaited<ReturnType<typeof listFormLeads>>['leads'],
  summary: FormPollSummary,
): Promise<number> {
  summary.fetched += leads.length;
  const ids = leads.map((lead) => lead.id);
  const delivered = await findDeliveredIds(deps.db, META_SOURCE, ids);
  const done: string[] = [];
  let recovered = 0;
  for (const lead of leads) {
    const converted = metaLeadToDraft(lead, { formId, via: 'poll' }, deps.defaultPhoneRegion);
    if ('problem' in converted) {
      summary.failed += 1;
      await insertRawLeadOnce(
        deps.db,
        {
          source: META_SOURCE,
          externalId: lead.id,
          body: JSON.stringify(lead),
          headers: { via: 'poll', form_id: formId },
          status: 'failed',
          errorMessage: converted.problem,
        },
        deps.clock.now(),
      );
      continue;
    }
    if (!delivered.has(lead.id)) converted.draft.metadata = { ...converted.draft.metadata, recovered_by_polling: true };
    const result = await captureLead(deps, converted.draft);
    done.push(lead.id);
    if (result.duplicate) continue;
    summary.captured += 1;
    if (!delivered.has(lead.id)) recovered += 1;
  }
  summary.recovered += recovered;
  await markCapturedDeliveries(deps.db, META_SOURCE, done, deps.clock.now());
  return recovered;
}
