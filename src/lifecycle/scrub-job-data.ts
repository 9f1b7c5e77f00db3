import type { Queryable } from '../db/create-pool.ts';
import { JOB_SCHEMA } from '../queue/start-job-queue.ts';
import { likePatterns } from './redact-personal-text.ts';
import { redactMatchingRows } from './redact-matching-rows.ts';

/**
 * pg-boss's rows that mention a person. Leadline's jobs carry ids only (an event id, a lead id, a payload
 * id), so normally nothing matches; but a job's `output` holds the error a handler threw, and pg-boss's
 * `warning` table the text of its warnings, and neither is ours to shape. The scan covers every queue's
 * partition through the parent table `job`. Matching data, outputs and warnings are redacted in place (a
 * job keeps its state, so pg-boss's own bookkeeping is untouched). Returns how many rows changed.
 */
export async function scrubJobData(db: Queryable, needles: readonly string[]): Promise<number> {
  if (needles.length === 0) return 0;
  const patterns = likePatterns(needles);
  const jobs = await redactMatchingRows(
    db,
    {
      table: `${JOB_SCHEMA}.job`,
      key: 'id',
      columns: [
        { name: 'data', type: 'jsonb' },
        { name: 'output', type: 'jsonb' },
        { name: 'source_output', type: 'jsonb' },
        { name: 'singleton_key', type: 'text' },
      ],
      where: `data::text ILIKE ANY($1::text[]) OR output::text ILIKE ANY($1::text[])
              OR source_output::text ILIKE ANY($1::text[]) OR singleton_key ILIKE ANY($1::text[])`,
      values: [patterns],
    },
    needles,
  );
  const warnings = await db.query(
    /* sql */ `DELETE FROM ${JOB_SCHEMA}.warning WHERE message ILIKE ANY($1::text[]) OR data::text ILIKE ANY($1::text[])`,
    [patterns],
  );
  return jobs + (warnings.rowCount ?? 0);
}
