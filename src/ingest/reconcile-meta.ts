import { AppError } from '../shared/app-error.ts';
import { META_SOURCE, type IngestDeps } from './ingest-deps.ts';
import { pollMetaForms, type FormPollSummary } from './poll-meta-forms.ts';
import { replayRawLeads, type ReplaySummary } from './replay-raw-leads.ts';
import { resumeMetaIngestion } from './resume-meta-ingestion.ts';

export interface ReconcileSummary {
  resumed: boolean;
  /** Stored payloads (paused or failed) handed back to the ingest queue. */
  replay: ReplaySummary;
  /** One entry per form in META_FORM_IDS. */
  forms: FormPollSummary[];
}

/**
 * "Poll Meta now" for an operator: un-pause if the token works again (409 with the reason if not), replay
 * the parked and failed payloads, then poll every configured form at once (optionally `backfillDays` back).
 */
export async function reconcileMeta(deps: IngestDeps, options: { backfillDays?: number | undefined }): Promise<ReconcileSummary> {
  if (!deps.meta.accessToken) {
    throw new AppError('conflict', 'META_ACCESS_TOKEN is not set, so there is nothing to reconcile with; set it and restart');
  }
  const resume = await resumeMetaIngestion(deps);
  if (resume.status === 'still_paused') {
    throw new AppError(
      'conflict',
      `Meta ingestion stays paused: ${resume.reason}. Set a working META_ACCESS_TOKEN, restart, and reconcile again`,
    );
  }
  const replay = await replayRawLeads(deps, { source: META_SOURCE, status: ['paused', 'failed'] });
  if (resume.replay) {
    replay.selected += resume.replay.selected;
    replay.queued += resume.replay.queued;
  }
  const forms = await pollMetaForms(deps, { force: true, backfillDays: options.backfillDays });
  return { resumed: resume.status === 'resumed', replay, forms };
}
