import type { Queryable } from '../db/create-pool.ts';

export type RawLeadStatus = 'received' | 'processed' | 'failed' | 'paused';

export interface RawLeadRow {
  source: string;
  externalId: string | null;
  body: string;
  headers: Record<string, string>;
  status: RawLeadStatus;
  errorMessage: string | null;
}

/** Stores provider payloads as received, many in one statement. Returns the new ids in input order. */
export async function insertRawLeads(db: Queryable, rows: RawLeadRow[], receivedAt: Date): Promise<string[]> {
  if (rows.length === 0) return [];
  const result = await db.query<{ id: string }>(
    /* sql */ `
    INSERT INTO raw_leads (source, external_id, body, headers, status, error_message, received_at, processed_at)
    SELECT r.source, r.external_id, r.body, coalesce(r.headers, '{}'::jsonb), r.status, r.error_message, $2,
           CASE WHEN r.status = 'processed' THEN $2::timestamptz END
    FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (source text, external_id text, body text, headers jsonb, status text, error_message text))
      WITH ORDINALITY AS r(source, external_id, body, headers, status, error_message, ord)
    ORDER BY r.ord
    RETURNING id::text`,
    [
      JSON.stringify(
        rows.map((row) => ({
          source: row.source,
          external_id: row.externalId,
          body: row.body,
          headers: row.headers,
          status: row.status,
          error_message: row.errorMessage,
        })),
      ),
      receivedAt,
    ],
  );
  return result.rows.map((row) => row.id);
}

/** Stores a payload unless one for the same lead is already kept (the poller re-reads its overlap window). */
export async function insertRawLeadOnce(db: Queryable, row: RawLeadRow & { externalId: string }, receivedAt: Date): Promise<void> {
  await db.query(
    /* sql */ `
    INSERT INTO raw_leads (source, external_id, body, headers, status, error_message, received_at)
    SELECT $1, $2, $3, $4, $5, $6, $7
    WHERE NOT EXISTS (SELECT 1 FROM raw_leads WHERE source = $1 AND external_id = $2)`,
    [row.source, row.externalId, row.body, JSON.stringify(row.headers), row.status, row.errorMessage, receivedAt],
  );
}
