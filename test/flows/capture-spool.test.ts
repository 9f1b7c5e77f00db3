import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

let db: TestDatabase;
let app: Leadline & { url: string };
let spoolDir: string;

beforeAll(async () => {
  db = await createTestDatabase('capture_spool');
  spoolDir = await mkdtemp(path.join(os.tmpdir(), 'leadline-spool-flow-'));
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000', SPOOL_DIR: spoolDir, DATABASE_TIMEOUT: '1s' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
  await rm(spoolDir, { recursive: true, force: true });
});

/** Holds an exclusive lock on `conversations` from another session until `release()`: a stalled database. */
async function lockConversations(): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE');
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

async function spooledFiles(): Promise<number> {
  let count = 0;
  for (const owner of await readdir(spoolDir))
    count += (await readdir(path.join(spoolDir, owner)).catch(() => [])).filter((name) => name.endsWith('.jsonl')).length;
  return count;
}

describe('capture while the database does not answer', () => {
  it('when conversations is locked, then capture answers 202 within the timeout, keeps the lead in the spool, and stores and alerts it with the same id once the lock is gone', async () => {
    const lock = await lockConversations();
    let released = false;
    try {
      const started = Date.now();
      const answer = await postJson(
        `${app.url}/api/submit-contact`,
        { name: 'Spooled Sam', email: 'sam@example.com', message: 'Please call back' },
        { 'idempotency-key': 'spool-1' },
      );
      const tookMs = Date.now() - started;
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ id: expect.any(String), spooled: true });
      expect(tookMs).toBeLessThan(5_000);
      expect(await spooledFiles()).toBeGreaterThan(0);

      // A retry while the database is still away is recognised from the spool; another body under the key is refused.
      const retry = await postJson(
        `${app.url}/api/submit-contact`,
        { name: 'Spooled Sam', email: 'sam@example.com', message: 'Please call back' },
        { 'idempotency-key': 'spool-1' },
      );
      expect(retry).toMatchObject({ status: 200, body: { id: answer.body.id, duplicate: true } });
      const reused = await postJson(
        `${app.url}/api/submit-contact`,
        { name: 'Someone Else', email: 'else@example.com', message: 'hi' },
        { 'idempotency-key': 'spool-1' },
      );
      expect(reused.status).toBe(422);

      const ready = await fetch(`${app.url}/health/ready`);
      expect(ready.status).toBe(200);

      // The request gave up waiting after DATABASE_TIMEOUT; its statement gives up at the lock timeout. Release
      // only then, so the lead reaches the table through the spool (a statement that got through late would
      // also be fine: the spooled copy has the same id and key).
      await waitFor('the capture statement to give up on the lock', async () => {
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'leadline-api' AND wait_event_type = 'Lock'`,
        );
        return rows[0].n === 0;
      });
      await lock.release();
      released = true;
      const stored = await waitFor('the spooled lead to be stored', async () => {
        const { rows } = await db.pool.query(`SELECT id, name, created_at FROM conversations WHERE email = 'sam@example.com'`);
        return rows.length > 0 ? rows : undefined;
      });
      expect(stored).toHaveLength(1);
      expect(stored[0].id).toBe(answer.body.id);
      await waitFor('its alert to be sent', async () => {
        const { rows } = await db.pool.query(
          `SELECT n.status FROM notification_logs n JOIN lead_events e ON e.id = n.event_id WHERE e.conversation_id = $1 AND e.event_type = 'lead.created' AND n.status = 'sent'`,
          [answer.body.id],
        );
        return rows.length === 1;
      });
      await waitFor('the spool to be empty', async () => (await spooledFiles()) === 0);
      const { rows: timeline } = await db.pool.query(
        `SELECT description FROM conversation_timeline WHERE conversation_id = $1 AND event_type = 'lead.created'`,
        [answer.body.id],
      );
      expect(timeline[0].description).toMatch(/Kept in the spool/);
    } finally {
      if (!released) await lock.release();
    }
  });
});
