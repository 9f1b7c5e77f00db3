import { withTransaction } from '../db/create-pool.ts';
import { AppError } from '../shared/app-error.ts';
import { captureSignedLead } from './capture-signed-lead.ts';
import { ensureIngestQueue } from './ensure-ingest-queue.ts';
import { META_INGEST_QUEUE, META_SOURCE, type IngestDeps } from './ingest-deps.ts';
import type { RawLeadStatus } from './insert-raw-leads.ts';
import type { MetaIngestJob } from './store-meta-delivery.ts';
import { markRawLead } from './update-raw-leads.ts';

export interface ReplaySummary {
  source: string;
  /** Payloads picked for replay. */
  selected: number;
  /** Meta payloads handed back to the ingest queue (captured asynchronously by the workers). */
  queued: number;
  /** Signed-sender payloads captured now: new leads / already captured. */
  captured: number;
  duplicates: number;
  failed: number;
}

const DEFAULT_LIMIT = 10_000;
const BATCH = 200;

/**
 * Sends stored payloads through ingestion again: the paused ones after a token is fixed, the failed ones
 * after a fix. Meta payloads go back to the ingest queue (in the same transaction that marks them
 * `received`, so none is lost or double-queued by a concurrent replay); signed-sender payloads are
 * captured here. Capture is idempotent, so replaying a lead that was captured meanwhile changes nothing.
 */
export async function replayRawLeads(
  deps: IngestDeps,
  selection: { source: string; status: RawLeadStatus | RawLeadStatus[]; limit?: number },
): Promise<ReplaySummary> {
  const statuses = Array.isArray(selection.status) ? selection.status : [selection.status];
  const limit = selection.limit ?? DEFAULT_LIMIT;
  const summary: ReplaySummary = { source: selection.source, selected: 0, queued: 0, captured: 0, duplicates: 0, failed: 0 };

  if (selection.source === META_SOURCE) {
    await ensureIngestQueue(deps.boss);
    while (summary.selected < limit) {
      const ids = await withTransaction(deps.db, async (client) => {
        const result = await client.query<{ id: string }>(
          /* sql */ `
          UPDATE raw_leads SET status = 'received', error_message = NULL
          WHERE id IN (
            SELECT id FROM raw_leads
            WHERE source = $1 AND status = ANY($2::text[]) AND external_id IS NOT NULL
            ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING id::text`,
          [META_SOURCE, statuses, Math.min(BATCH, limit - summary.selected)],
        );
        const rows = result.rows.map((row) => row.id);
        if (rows.length > 0) {
          await deps.boss.insert(
            META_INGEST_QUEUE,
            rows.map((rawLeadId) => ({ data: { rawLeadId } satisfies MetaIngestJob })),
            {
              db: { executeSql: (sql, values) => client.query(sql, values) },
            },
          );
        }
        return rows;
      });
      summary.selected += ids.length;
      summary.queued += ids.length;
      // 'received' is both a status we may replay and the one we set: stop after one pass in that case.
      if (ids.length < BATCH || statuses.includes('received')) break;
    }
    return summary;
  }

  let lastId = '0';
  while (summary.selected < limit) {
    const result = await deps.db.query<{ id: string; external_id: string | null; body: string }>(
      /* sql */ `SELECT id::text, external_id, body FROM raw_leads
                 WHERE source = $1 AND status = ANY($2::text[]) AND id > $3::bigint ORDER BY id LIMIT $4`,
      [selection.source, statuses, lastId, Math.min(BATCH, limit - summary.selected)],
    );
    for (const row of result.rows) {
      summary.selected += 1;
      lastId = row.id;
      if (row.external_id === null) {
        summary.failed += 1;
        continue;
      }
      try {
        const captured = await captureSignedLead(deps, { source: selection.source, webhookId: row.external_id, bodyText: row.body });
        if (captured.duplicate) summary.duplicates += 1;
        else summary.captured += 1;
        await markRawLead(deps.db, row.id, { status: 'processed', errorMessage: null, countAttempt: true, at: deps.clock.now() });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        summary.failed += 1;
        await markRawLead(deps.db, row.id, { status: 'failed', errorMessage: error.message, countAttempt: true, at: deps.clock.now() });
      }
    }
    if (result.rows.length < BATCH) break;
  }
  return summary;
}
