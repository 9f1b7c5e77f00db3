import type { Queryable } from '../db/create-pool.ts';
import type { RawLeadStatus } from './insert-raw-leads.ts';

export interface StoredRawLead {
  id: string;
  source: string;
  externalId: string | null;
  body: string;
  headers: Record<string, string>;
  status: RawLeadStatus;
  attempts: number;
}

export async function findRawLead(db: Queryable, id: string): Promise<StoredRawLead | undefined> {
  const result = await db.query<{
    id: string;
    source: string;
    external_id: string | null;
    body: string;
    headers: Record<string, string>;
    status: RawLeadStatus;
    attempts: number;
  }>(/* sql */ `SELECT id::text, source, external_id, body, headers, status, attempts FROM raw_leads WHERE id = $1`, [id]);
  const row = result.rows[0];
  return row
    ? {
        id: row.id,
        source: row.source,
        externalId: row.external_id,
        body: row.body,
        headers: row.headers,
        status: row.status,
        attempts: row.attempts,
      }
    : undefined;
}

/** Records the outcome of one attempt on one payload. Error texts must hold no personal data or secrets. */
export async function markRawLead(
  db: Queryable,
  id: string,
  update: { status: RawLeadStatus; errorMessage: string | null; countAttempt: boolean; at: Date },
): Promise<void> {
  await db.query(
    /* sql */ `UPDATE raw_leads
               SET status = $2, error_message = $3, attempts = attempts + $4::int,
                   processed_at = CASE WHEN $2 = 'processed' THEN $5::timestamptz ELSE processed_at END
               WHERE id = $1 AND status <> 'processed'`,
    [id, update.status, update.errorMessage === null ? null : update.errorMessage.slice(0, 1_000), update.countAttempt ? 1 : 0, update.at],
  );
}

/**
 * Once a lead is captured, every stored delivery of it (Meta sends duplicates, and paused or failed copies
 * may wait for replay) is done.
 */
export async function markCapturedDeliveries(db: Queryable, source: string, externalIds: string[], at: Date): Promise<void> {
  if (externalIds.length === 0) return;
  await db.query(
    /* sql */ `UPDATE raw_leads SET status = 'processed', error_message = NULL, processed_at = $3
               WHERE source = $1 AND external_id = ANY($2::text[]) AND status <> 'processed'`,
    [source, externalIds, at],
  );
}

/** Which of these leads a webhook delivered (any stored delivery counts, whatever its status; rows the poller kept do not). */
export async function findDeliveredIds(db: Queryable, source: string, externalIds: string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const result = await db.query<{ external_id: string }>(
    /* sql */ `SELECT DISTINCT external_id FROM raw_leads
               WHERE source = $1 AND external_id = ANY($2::text[]) AND coalesce(headers->>'via', 'webhook') = 'webhook'`,
    [source, externalIds],
  );
  return new Set(result.rows.map((row) => row.external_id));
}
