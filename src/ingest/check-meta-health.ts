import type { Queryable } from '../db/create-pool.ts';
import type { IngestDeps } from './ingest-deps.ts';
import { META_SOURCE } from './ingest-deps.ts';
import { readSourceState } from './read-source-state.ts';

/**
 * The `meta` health check, from the database only (a Graph call per readiness probe would spend the rate
 * limit): resolves when Meta ingestion can work; throws with what is wrong and what to do when the source
 * is paused, misconfigured, or its last poll failed.
 */
export async function checkMetaHealth(deps: { db: Queryable; meta: IngestDeps['meta'] }): Promise<void> {
  const { meta } = deps;
  if (!meta.appSecret && !meta.accessToken && meta.formIds.length === 0) {
    throw new Error('Meta Lead Ads is not configured (set META_APP_SECRET, META_VERIFY_TOKEN and META_ACCESS_TOKEN)');
  }
  if (!meta.accessToken)
    throw new Error('META_ACCESS_TOKEN is not set: webhooks are stored but leads cannot be fetched from the Graph API');
  if (!meta.appSecret && meta.formIds.length === 0) {
    throw new Error('neither webhooks (META_APP_SECRET) nor polling (META_FORM_IDS) is configured, so no Meta lead can arrive');
  }

  const state = await readSourceState(deps.db, META_SOURCE);
  if (state?.status === 'paused') {
    const waiting = await deps.db.query<{ n: number }>(
      /* sql */ `SELECT count(*)::int AS n FROM raw_leads WHERE source = $1 AND status IN ('paused', 'received')`,
      [META_SOURCE],
    );
    throw new Error(
      `paused since ${state.updatedAt.toISOString()}: ${state.lastError ?? 'the access token was refused'}; ` +
        `${waiting.rows[0]?.n ?? 0} lead(s) waiting in raw_leads. Set a new META_ACCESS_TOKEN, restart, then POST /api/admin/reconcile`,
    );
  }
  if (meta.formIds.length > 0) {
    const failing = await deps.db.query<{ scope: string; last_error: string | null }>(
      /* sql */ `SELECT scope, last_error FROM ingestion_state WHERE source = $1 AND scope = ANY($2::text[]) AND status = 'error' ORDER BY scope LIMIT 1`,
      [META_SOURCE, meta.formIds],
    );
    const row = failing.rows[0];
    if (row) throw new Error(`the last poll of form ${row.scope} failed: ${row.last_error ?? 'unknown error'}`);
  }
}
