import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Leadline } from '../../src/main.ts';
import { JOB_HEARTBEAT_SECONDS } from '../../src/queue/ensure-queue.ts';
import { failOrphanedJobs, ORPHANED_AFTER_SECONDS } from '../../src/queue/fail-orphaned-jobs.ts';
import { JOB_SCHEMA, startJobQueue } from '../../src/queue/start-job-queue.ts';
import { postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

let db: TestDatabase;
let app: Leadline & { url: string };
const silent = createLogger({ level: 'silent' });

beforeAll(async () => {
  db = await createTestDatabase('takeover');
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe('taking over the work of a dead process', () => {
  it('when pg-boss 12 is installed, then its job table has the columns the orphan check reads', async () => {
    const { rows } = await db.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'job'`,
      [JOB_SCHEMA],
    );
    expect(rows.map((row) => row.column_name)).toEqual(
      expect.arrayContaining(['id', 'name', 'state', 'retry_count', 'heartbeat_on', 'heartbeat_seconds']),
    );
  });

  it('when a process fetched a job and stopped beating, then the job is handed back to run again at once', async () => {
    const queue = `takeover-${randomUUID().slice(0, 8)}`;
    // The "other process": its own pg-boss instance that fetches a job and dies holding it.
    const other = await startJobQueue({ connectionString: db.url, logger: silent, runsMaintenance: false, poolSize: 2 });
    await other.createQueue(queue, { heartbeatSeconds: JOB_HEARTBEAT_SECONDS, retryLimit: 3, retryDelay: 0 });
    await other.send(queue, { n: 1 });
    const [held] = await other.fetch(queue);
    expect(held).toBeDefined();
    await other.stop({ graceful: false, close: true });
    await db.pool.query(`UPDATE ${JOB_SCHEMA}.job SET heartbeat_on = now() - make_interval(secs => $2) WHERE id = $1`, [
      held!.id,
      ORPHANED_AFTER_SECONDS + 1,
    ]);

    expect(await failOrphanedJobs(db.pool, app.boss, [queue])).toBe(1);
    // The held one is cancelled and a copy with its data waits to run now (no retry backoff).
    const { rows } = await db.pool.query(
      `SELECT state, data, start_after <= now() AS due FROM ${JOB_SCHEMA}.job WHERE name = $1 ORDER BY created_on`,
      [queue],
    );
    expect(rows).toEqual([
      { state: 'cancelled', data: { n: 1 }, due: true },
      { state: 'created', data: { n: 1 }, due: true },
    ]);
    // A live worker's jobs (fresh heartbeat) are left alone.
    await app.boss.send(queue, { n: 2 });
    const [live] = await app.boss.fetch(queue);
    expect(live).toBeDefined();
    expect(await failOrphanedJobs(db.pool, app.boss, [queue])).toBe(0);
  });

  it('when a dead process left an attempt sending, then the delivery is sent again within seconds, not after the lease, and flagged as a possible duplicate', async () => {
    // A lead whose alert a process had dispatched when it died.
    const lead = await postJson(`${app.url}/api/leads`, { name: 'Taken Over', email: 'taken-over@example.com', message: 'please call' });
    expect(lead.status).toBe(201);
    const eventId = await waitFor('the relay to deliver the first alert', async () => {
      const { rows } = await db.pool.query(
        `SELECT e.id::text FROM lead_events e JOIN notification_logs n ON n.event_id = e.id AND n.status = 'sent' WHERE e.conversation_id = $1 AND e.event_type = 'lead.created'`,
        [lead.body.id],
      );
      return rows[0]?.id as string | undefined;
    });
    // Rewrite history: the sent attempt becomes one that a now-dead process left `sending` a moment ago.
    const dead = randomUUID();
    await db.pool.query(
      `INSERT INTO worker_processes (id, role, hostname, pid, heartbeat_at) VALUES ($1, 'worker', 'elsewhere', 1, now() - interval '1 minute')`,
      [dead],
    );
    await db.pool.query(
      `UPDATE notification_logs SET status = 'sending', process_id = $2, started_at = now(), dispatched_at = now(), finished_at = NULL WHERE event_id = $1`,
      [eventId, dead],
    );
    await app.boss.send('deliver-log', { eventId, tries: 0 });

    const rows = await waitFor(
      'the delivery to be sent again',
      async () => {
        const result = await db.pool.query(
          `SELECT status, error_kind, possible_duplicate FROM notification_logs WHERE event_id = $1 ORDER BY attempt`,
          [eventId],
        );
        return result.rows.some((row) => row.status === 'sent') ? result.rows : undefined;
      },
      10_000,
    );
    expect(rows).toEqual([
      { status: 'failed', error_kind: 'interrupted', possible_duplicate: false },
      { status: 'sent', error_kind: null, possible_duplicate: true },
    ]);
  });
});
