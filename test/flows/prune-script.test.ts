import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

const execFileAsync = promisify(execFile);

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('prune_script');
});
afterAll(async () => {
  await db?.drop();
});

describe('npm run prune', () => {
  it('when run by hand, then it says the windows, prints a line per batch and a summary, and only expired rows are gone', async () => {
    const { rows } = await db.pool.query<{ id: string; body: string }>(
      `INSERT INTO raw_leads (source, body, status, received_at, processed_at)
       SELECT 'probe', 'old-' || n, 'processed', now() - interval '40 days', now() - interval '40 days' FROM generate_series(1, 5) AS n
       UNION ALL SELECT 'probe', 'new', 'processed', now() - interval '1 day', now() - interval '1 day'
       RETURNING id::text, body`,
    );
    const env = { PATH: process.env['PATH'] ?? '', DATABASE_URL: db.url, RETENTION_LOGS: '0' };
    const { stdout } = await execFileAsync(process.execPath, ['scripts/prune.ts', '--batch-size', '2'], { env });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('prune: raw payloads 30d, processed events and delivery logs kept for ever, dead letters 30d');
    expect(lines.slice(1, 4)).toEqual(['  raw_leads: -2 (2 so far)', '  raw_leads: -2 (4 so far)', '  raw_leads: -1 (5 so far)']);
    expect(lines.at(-1)).toMatch(
      /^prune: done in \d+\.\d s\. Deleted: raw_leads 5, lead_events 0, notification_logs 0, operator_alerts 0, digests 0, pending_erasures 0\.$/,
    );
    const { rows: left } = await db.pool.query(`SELECT body FROM raw_leads WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
    expect(left).toEqual([{ body: 'new' }]);
  });

  it('when an option is wrong, then it exits 2 saying what to pass', async () => {
    const failed = await execFileAsync(process.execPath, ['scripts/prune.ts', '--batch-size', 'lots'], {
      env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: db.url },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toContain('--batch-size "lots" must be a whole number from 1 to 100000');
  });
});
