import type { Queryable } from '../db/create-pool.ts';
import { appendEventsSql, encodeEvents, newEvent } from '../events/append-events.ts';
import { SOURCE_SCOPE } from './ingest-deps.ts';

export interface OperatorAlert {
  title: string;
  /** What happened and what to do next; no secrets, no personal data. */
  detail: string;
}

/**
 * Pauses a source and raises ONE `ingestion.failed` operator alert for the incident, in one statement (its
 * words go to `operator_alerts`, the event holds ids only). The alert is written only by the statement that
 * moves the row from not-paused to paused; Postgres re-checks the `WHERE status <> 'paused'` of a concurrent
 * upsert after the first one commits, so however many jobs and processes hit the expired token at once, one
 * alert is raised. Returns whether this call paused it.
 */
export async function pauseSource(db: Queryable, source: string, reason: string, alert: OperatorAlert, at: Date): Promise<boolean> {
  // One incident, one key: the moment the source was paused.
  const event = newEvent(
    'ingestion.failed',
    null,
    { source, scope: SOURCE_SCOPE },
    { createdAt: at, idempotencyKey: `ingestion.failed:${source}:token:${at.toISOString()}` },
  );
  const result = await db.query<{ id: string }>(
    /* sql */ `
    WITH paused AS (
      INSERT INTO ingestion_state (source, scope, status, last_error, updated_at)
      VALUES ($1, $2, 'paused', $3, $4)
      ON CONFLICT (source, scope) DO UPDATE SET status = 'paused', last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at
        WHERE ingestion_state.status <> 'paused'
      RETURNING updated_at
    ),${appendEventsSql(5, { when: 'EXISTS (SELECT 1 FROM paused)' })},
    alert_text AS (
      INSERT INTO operator_alerts (event_id, title, detail, created_at)
      SELECT id, $6, $7, $4 FROM appended_events
    )
    SELECT id::text FROM appended_events`,
    [source, SOURCE_SCOPE, reason.slice(0, 1_000), at, encodeEvents([event]), alert.title, alert.detail],
  );
  return result.rows.length > 0;
}
