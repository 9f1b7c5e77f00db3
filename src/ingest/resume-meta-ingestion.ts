import { GraphError } from './classify-graph-error.ts';
import { fetchGraph } from './fetch-graph.ts';
import { META_SOURCE, type IngestDeps } from './ingest-deps.ts';
import { readSourceState } from './read-source-state.ts';
import { replayRawLeads, type ReplaySummary } from './replay-raw-leads.ts';
import { resumeSource } from './resume-source.ts';

export type ResumeResult =
  | { status: 'not_paused'; replay: ReplaySummary | undefined }
  | { status: 'still_paused'; reason: string }
  | { status: 'resumed'; replay: ReplaySummary | undefined };

/**
 * When Meta ingestion is paused, asks the Graph API whether the token works again (`GET /me?fields=id`,
 * the cheapest call any Page or system-user token may make). If it does, un-pauses and replays the payloads
 * parked meanwhile. Only the process that un-pauses replays, so several workers probing at once queue each
 * payload once. When the source is not paused, payloads still marked paused (a job that saw the pause just
 * as another process lifted it) are replayed, so none waits for the next incident.
 */
export async function resumeMetaIngestion(deps: IngestDeps): Promise<ResumeResult> {
  const state = await readSourceState(deps.db, META_SOURCE);
  if (state?.status !== 'paused') {
    const stranded = await deps.db.query(/* sql */ `SELECT 1 FROM raw_leads WHERE source = $1 AND status = 'paused' LIMIT 1`, [
      META_SOURCE,
    ]);
    const replay = stranded.rows.length > 0 ? await replayRawLeads(deps, { source: META_SOURCE, status: 'paused' }) : undefined;
    return { status: 'not_paused', replay };
  }
  try {
    await fetchGraph({ graphUrl: deps.meta.graphUrl, accessToken: deps.meta.accessToken }, 'me', { fields: 'id' });
  } catch (error) {
    if (error instanceof GraphError) return { status: 'still_paused', reason: error.message };
    throw error;
  }
  const resumed = await resumeSource(deps.db, META_SOURCE, deps.clock.now());
  if (!resumed) return { status: 'resumed', replay: undefined };
  deps.logger.info('Meta ingestion resumed: the Graph API accepts the access token again');
  const replay = await replayRawLeads(deps, { source: META_SOURCE, status: 'paused' });
  return { status: 'resumed', replay };
}
