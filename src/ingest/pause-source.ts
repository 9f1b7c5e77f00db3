import type { Queryable } from '../db/create-pool.ts';
import { SOURCE_SCOPE } from './ingest-deps.ts';

export interface OperatorAlert {
  title: string;
  /** What happened and what to do next; no secrets, no personal data. */
  detail: string;
}

/**
 * Pauses a source and raises ONE `ingestion.failed` operator alert for the incident, in one statement. The
 * alert is inserted only by the statement that moves the row from not-paused to paused; Postgres re-checks
 * the `WHERE status <> 'paused'` of a concurrent upsert after the first one commits, so however many jobs
 * and processes hit the expired token at once, one alert is raised. Returns whether this call paused it.
 */
export async function pauseSource(db: Queryable, source: string, reason: string, alert: OperatorAlert, at: Date): Promise<boolean> {
  const result = await db.query<{ id: string }>(
    /* sql */ `
    WITH paused AS (
      INSERT INTO ingestion_state (source, scope, status, last_error, updated_at)
      VALUES ($1, $2, 'paused', $3, $4)
      ON CONFLICT (source, scope) DO UPDATE SET status = 'paused', last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at
        WHERE ingestion_state.status <> 'paused'
      RETURNING updated_at
    )
    INSERT INTO lead_events (event_type, conversation_id, payload, idempotency_key, created_at)
    SELECT 'ingestion.failed', NULL, $5::jsonb,
           'ingestion.failed:' || $1 || ':token:' || to_char(paused.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           paused.updated_at
    FROM paused
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id::text`,
    [source, SOURCE_SCOPE, reason.slice(0, 1_000), at, JSON.stringify({ ...alert, source })],
  );
  return result.rows.length > 0;
}
