import type { Queryable } from '../db/create-pool.ts';

/**
 * Claims this interval's poll of one form: sets `last_run_at` unless another process did so less than
 * `minGapMs` ago. Returns the checkpoint to continue from, or undefined when the poll is not ours to run.
 * `minGapMs = 0` (an operator's reconcile) always claims.
 */
export async function claimFormPoll(
  db: Queryable,
  source: string,
  formId: string,
  now: Date,
  minGapMs: number,
): Promise<{ checkpointAt: Date | null } | undefined> {
  await db.query(/* sql */ `INSERT INTO ingestion_state (source, scope) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [source, formId]);
  const result = await db.query<{ checkpoint_at: Date | null }>(
    /* sql */ `UPDATE ingestion_state SET last_run_at = $3, updated_at = $3
               WHERE source = $1 AND scope = $2
                 AND (last_run_at IS NULL OR last_run_at <= $3::timestamptz - make_interval(secs => $4::double precision / 1000))
               RETURNING checkpoint_at`,
    [source, formId, now, minGapMs],
  );
  const row = result.rows[0];
  return row ? { checkpointAt: row.checkpoint_at } : undefined;
}

/**
 * Moves the checkpoint forward (never back) once every page of a window is stored, and adds the leads
 * that polling found but no webhook had delivered.
 */
export async function advanceFormCheckpoint(
  db: Queryable,
  source: string,
  formId: string,
  update: { checkpointAt: Date | null; recovered: number; at: Date },
): Promise<void> {
  await db.query(
    /* sql */ `UPDATE ingestion_state
               SET checkpoint_at = CASE WHEN $3::timestamptz IS NULL THEN checkpoint_at ELSE greatest(coalesce(checkpoint_at, $3), $3) END,
                   recovered = recovered + $4, updated_at = $5
               WHERE source = $1 AND scope = $2`,
    [source, formId, update.checkpointAt, update.recovered, update.at],
  );
}

export async function finishFormPoll(
  db: Queryable,
  source: string,
  formId: string,
  outcome: { error: string | null; at: Date },
): Promise<void> {
  await db.query(
    /* sql */ `UPDATE ingestion_state SET status = CASE WHEN $3::text IS NULL THEN 'ok' ELSE 'error' END, last_error = $3, updated_at = $4
               WHERE source = $1 AND scope = $2`,
    [source, formId, outcome.error === null ? null : outcome.error.slice(0, 1_000), outcome.at],
  );
}
