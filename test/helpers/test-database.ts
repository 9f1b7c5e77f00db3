import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFailed } from 'vitest';
import { withDatabase } from './global-setup.ts';

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

let anyTestFailed = false;

/**
 * A fresh database for one test file, cloned from the migrated template. It is dropped afterwards unless a
 * test failed, so the rows that explain a failure are still there to look at (its name is printed).
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const template = inject('templateDatabase');
  const name = `leadline_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // The database is dropped WITH (FORCE) at the end; an idle client learning that must not crash the run.
  pool.on('error', () => {});
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      if (anyTestFailed) {
        process.stderr.write(`kept database ${name} of a failed test for inspection\n`);
        return;
      }
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await client.end();
    },
  };
}

/** Call inside a test to keep the file's database when that test fails. */
export function keepDatabaseOnFailure(): void {
  onTestFailed(() => {
    anyTestFailed = true;
  });
}
