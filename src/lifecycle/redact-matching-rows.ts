import type { Queryable } from '../db/create-pool.ts';
import { containsNeedle, redactJson, redactText } from './redact-personal-text.ts';

/** A column whose text may mention a person among other things: a title, an error, an alert, a JSON blob. */
export type RedactedColumn = { name: string; type: 'text' | 'jsonb' };

/**
 * Rewrites, in the rows of `table` that `where` selects, every given column that holds one of the needles:
 * the needle becomes `[erased]`, the rest of the text stays (an alert still says what broke). `key` names
 * the column(s) that identify a row. Table and column names are this module's constants, never input; `where` is SQL with `$n` over `values`. Returns
 * how many rows changed. Meant for the few rows one erasure touches, inside its transaction.
 */
export async function redactMatchingRows(
  db: Queryable,
  target: { table: string; key: string | string[]; columns: RedactedColumn[]; where: string; values: unknown[] },
  needles: readonly string[],
): Promise<number> {
  if (needles.length === 0) return 0;
  const { table, columns } = target;
  const keyOf = (alias: string) =>
    (Array.isArray(target.key) ? target.key : [target.key]).map((column) => `${alias}${column}::text`).join(` || chr(31) || `);
  const { rows } = await db.query<Record<string, unknown> & { row_key: string }>(
    /* sql */ `SELECT ${keyOf('')} AS row_key, ${columns.map((column) => column.name).join(', ')} FROM ${table} WHERE ${target.where}`,
    target.values,
  );
  const changed: Record<string, unknown>[] = [];
  for (const row of rows) {
    let touched = false;
    const next: Record<string, unknown> = { row_key: row.row_key };
    for (const column of columns) {
      const value = row[column.name];
      if (value === null || value === undefined) {
        next[column.name] = null;
        continue;
      }
      const text = column.type === 'text' ? String(value) : JSON.stringify(value);
      if (!containsNeedle(text, needles)) {
        next[column.name] = value;
        continue;
      }
      touched = true;
      next[column.name] = column.type === 'text' ? redactText(String(value), needles) : redactJson(value, needles);
    }
    if (touched) changed.push(next);
  }
  if (changed.length === 0) return 0;
  await db.query(
    /* sql */ `
    UPDATE ${table} t SET ${columns.map((column) => `${column.name} = v.${column.name}`).join(', ')}
      FROM jsonb_to_recordset($1::jsonb) AS v(row_key text, ${columns.map((column) => `${column.name} ${column.type}`).join(', ')})
     WHERE ${keyOf('t.')} = v.row_key`,
    [JSON.stringify(changed)],
  );
  return changed.length;
}
