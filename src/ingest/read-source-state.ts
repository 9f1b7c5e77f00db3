import type { Queryable } from '../db/create-pool.ts';
import { SOURCE_SCOPE } from './ingest-deps.ts';

export interface SourceState {
  status: 'ok' | 'paused' | 'error';
  lastError: string | null;
  updatedAt: Date;
}

/** The whole-source row (`scope = '*'`); absent means the source never failed. */
export async function readSourceState(db: Queryable, source: string): Promise<SourceState | undefined> {
  const result = await db.query<{ status: SourceState['status']; last_error: string | null; updated_at: Date }>(
    /* sql */ `SELECT status, last_error, updated_at FROM ingestion_state WHERE source = $1 AND scope = $2`,
    [source, SOURCE_SCOPE],
  );
  const row = result.rows[0];
  return row ? { status: row.status, lastError: row.last_error, updatedAt: row.updated_at } : undefined;
}
