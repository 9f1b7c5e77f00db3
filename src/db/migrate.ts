import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Any fixed number works; it only has to be the same for every Leadline process on the database. */
const MIGRATION_LOCK_ID = 74_656_104;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies the numbered `.sql` files in `migrations/` that have not run yet, each in its own transaction.
 * An advisory lock makes it safe for several processes to start at once: the others wait, then find
 * nothing left to do.
 */
export async function migrate(pool: pg.Pool, options: { dir?: string; onApplied?: (name: string) => void } = {}): Promise<MigrationResult> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const files = (await readdir(dir)).filter((file) => /^\d{3,}_[\w-]+\.sql$/.test(file)).sort();
  const client = await pool.connect();
  try {
    await client.query(/* sql */ `SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK_ID]);
    await client.query(/* sql */ `
      CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const done = new Set(
      (await client.query<{ name: string }>(/* sql */ `SELECT name FROM schema_migrations`)).rows.map((row) => row.name),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(dir, file), 'utf8');
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query(/* sql */ `INSERT INTO schema_migrations (name) VALUES ($1)`, [file]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`migration ${file} failed: ${(error as Error).message} (fix the SQL file; nothing of it was applied)`, {
          cause: error,
        });
      }
      applied.push(file);
      options.onApplied?.(file);
    }
    await lockDownSupabaseTables(client);
    return { applied, alreadyApplied: done.size };
  } finally {
    await client.query(/* sql */ `SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK_ID]).catch(() => {});
    client.release();
  }
}

const LOCK_DOWN_SQL = fileURLToPath(new URL('../../supabase/lock-down-public-tables.sql', import.meta.url));

/**
 * On Supabase, a table in `public` without row-level security is open to the public anon key. Migration 005
 * locks down the tables that exist and stops the migrating role's new tables from being granted to
 * `anon`/`authenticated`, but a later migration that forgets RLS, or a table made in the dashboard, would
 * still slip through. So after every run (also when nothing was applied) any such table gets RLS and loses
 * those grants. Idempotent, and a no-op on plain Postgres: the SQL is guarded on Supabase's roles.
 */
async function lockDownSupabaseTables(client: pg.PoolClient): Promise<void> {
  await client.query(await readFile(LOCK_DOWN_SQL, 'utf8'));
}
