import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from './test-database.ts';

const names: { kept?: string; dropped?: string } = {};

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rows.length === 1;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  // The database kept on purpose below is this file's own: nothing is left to inspect, so it goes.
  if (!names.kept) return;
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${names.kept} WITH (FORCE)`);
  await client.end();
});

describe('createTestDatabase', () => {
  // `fails`: vitest records this test as failed while it runs (what drop() sees), then reports it as passing.
  it.fails('when a test that drops its database fails, then the database is kept (no opt-in)', async () => {
    const db = await createTestDatabase('kept_on_failure');
    names.kept = db.name;
    await db.pool.query('CREATE TABLE evidence (note text)');
    await db.drop();
    throw new Error('this test fails on purpose');
  });

  it('when a test that drops its database passes, then the database is gone', async () => {
    const db = await createTestDatabase('dropped_on_success');
    names.dropped = db.name;
    expect(await databaseExists(db.name)).toBe(true);
    await db.drop();
  });

  it('when the two tests above have finished, then the failed one left its database and the passed one left none', async () => {
    expect(names.kept).toMatch(/^leadline_kept_on_failure_[0-9a-f]{8}$/);
    expect(names.dropped).toMatch(/^leadline_dropped_on_success_[0-9a-f]{8}$/);
    expect(await databaseExists(names.kept!)).toBe(true);
    expect(await databaseExists(names.dropped!)).toBe(false);
  });
});
