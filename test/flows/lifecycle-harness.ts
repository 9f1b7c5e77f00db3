import type pg from 'pg';

export interface PersonalHit {
  column: string;
  needle: string;
  rows: number;
}

/**
 * Every column of every table in `public` and in pg-boss's schema that can hold text (text, varchar, char,
 * json, jsonb, arrays, enums), searched case-insensitively for each value. Found from the catalog, so a
 * table added tomorrow is scanned without anyone touching this file.
 */
export async function scanForPersonalData(pool: pg.Pool, needles: string[]): Promise<PersonalHit[]> {
  const { rows: columns } = await pool.query<{ schema: string; table: string; column: string }>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema IN ('public', 'pgboss') AND t.table_type = 'BASE TABLE'
        AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED'))
      ORDER BY 1, 2, 3`,
  );
  if (columns.length < 20) throw new Error(`the catalog scan found only ${columns.length} text columns; the scan itself is broken`);
  const hits: PersonalHit[] = [];
  for (const { schema, table, column } of columns) {
    for (const needle of needles) {
      const pattern = `%${needle.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}"."${table}" WHERE "${column}"::text ILIKE $1`,
        [pattern],
      );
      if (rows[0]!.n > 0) hits.push({ column: `${schema}.${table}.${column}`, needle, rows: rows[0]!.n });
    }
  }
  return hits;
}

/**
 * `/api/admin/stats` as numbers: without the moment it was read and without the sources' last error texts
 * (an erasure redacts a value quoted there; the counts beside it are what must not move).
 */
export async function readStats(url: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/api/admin/stats`, { headers });
  const { generated_at: _generatedAt, ...stats } = (await response.json()) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(stats, (key, value: unknown) => (key === 'last_error' ? undefined : value))) as Record<string, unknown>;
}
