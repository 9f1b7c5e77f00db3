import type { Queryable } from '../db/create-pool.ts';
import { SOURCE_SCOPE } from './ingest-deps.ts';

/** Un-pauses a source. Returns true only for the caller that moved it from paused to ok. */
export async function resumeSource(db: Queryable, source: string, at: Date): Promise<boolean> {
  const result = await db.query(
    /* sql */ `UPDATE ingestion_state SET status = 'ok', last_error = NULL, updated_at = $3
               WHERE source = $1 AND scope = $2 AND status = 'paused'`,
    [source, SOURCE_SCOPE, at],
  );
  return (result.rowCount ?? 0) > 0;
}
