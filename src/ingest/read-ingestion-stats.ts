import type { Queryable } from '../db/create-pool.ts';

export interface IngestionStats {
  /** One row per source and scope (`*` = the whole source, else a Meta form id). */
  sources: {
    source: string;
    scope: string;
    status: 'ok' | 'paused' | 'error';
    checkpoint_at: string | null;
    last_run_at: string | null;
    last_error: string | null;
    recovered: number;
  }[];
  /** Stored provider payloads by source and status. */
  raw_leads: { source: string; status: string; count: number }[];
  /** Leads found by polling that no webhook had delivered, over all forms. */
  recovered_total: number;
}

/** For the admin stats endpoint and metrics. */
export async function readIngestionStats(db: Queryable): Promise<IngestionStats> {
  const [states, raw] = await Promise.all([
    db.query<{
      source: string;
      scope: string;
      status: 'ok' | 'paused' | 'error';
      checkpoint_at: Date | null;
      last_run_at: Date | null;
      last_error: string | null;
      recovered: string;
    }>(
      /* sql */ `SELECT source, scope, status, checkpoint_at, last_run_at, last_error, recovered FROM ingestion_state ORDER BY source, scope`,
    ),
    db.query<{ source: string; status: string; count: number }>(
      /* sql */ `SELECT source, status, count(*)::int AS count FROM raw_leads GROUP BY source, status ORDER BY source, status`,
    ),
  ]);
  const sources = states.rows.map((row) => ({
    source: row.source,
    scope: row.scope,
    status: row.status,
    checkpoint_at: row.checkpoint_at?.toISOString() ?? null,
    last_run_at: row.last_run_at?.toISOString() ?? null,
    last_error: row.last_error,
    recovered: Number(row.recovered),
  }));
  return { sources, raw_leads: raw.rows, recovered_total: sources.reduce((sum, row) => sum + row.recovered, 0) };
}
