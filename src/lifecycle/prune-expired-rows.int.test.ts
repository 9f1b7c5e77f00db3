import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-database.ts';
import { ensureDeliveryQueues } from '../delivery/ensure-delivery-queues.ts';
import { createLogger } from '../logging/create-logger.ts';
import { startJobQueue } from '../queue/start-job-queue.ts';
import { pruneExpiredRows, type RetentionSettings } from './prune-expired-rows.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const DEFAULTS: RetentionSettings = { rawMs: 30 * DAY, logsMs: 180 * DAY, deadMs: 30 * DAY };

let db: TestDatabase;
let leadId: string;

beforeAll(async () => {
  db = await createTestDatabase('prune_expired_rows');
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO conversations (source, email, quality, idempotency_key, created_at, sla_response_deadline, sla_warning_at)
     VALUES ('api', 'old@example.com', 'cold', 'seed:old', $1, $1, $1) RETURNING id`,
    [daysAgo(300)],
  );
  leadId = rows[0]!.id;
});
afterAll(async () => {
  await db?.drop();
});

async function raw(status: string, receivedDaysAgo: number, processedDaysAgo: number | null): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO raw_leads (source, body, status, received_at, processed_at) VALUES ('probe', '{}', $1, $2, $3) RETURNING id::text`,
    [status, daysAgo(receivedDaysAgo), processedDaysAgo === null ? null : daysAgo(processedDaysAgo)],
  );
  return rows[0]!.id;
}

async function event(createdDaysAgo: number, processed: boolean, type = 'lead.created', payload: object = {}): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO lead_events (event_type, conversation_id, payload, created_at, processed_at) VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
    [
      type,
      type === 'digest.sent' ? null : leadId,
      JSON.stringify(payload),
      daysAgo(createdDaysAgo),
      processed ? daysAgo(createdDaysAgo) : null,
    ],
  );
  return rows[0]!.id;
}

async function attempt(
  eventId: string,
  status: string,
  createdDaysAgo: number,
  options: { attempt?: number; retried?: boolean; channel?: string } = {},
): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO notification_logs (event_id, conversation_id, channel, status, attempt, created_at, retried_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text`,
    [
      eventId,
      leadId,
      options.channel ?? 'slack',
      status,
      options.attempt ?? 1,
      daysAgo(createdDaysAgo),
      options.retried ? daysAgo(createdDaysAgo - 1) : null,
    ],
  );
  return rows[0]!.id;
}

const exists = async (table: string, id: string) => (await db.pool.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rows.length === 1;

describe('pruneExpiredRows', () => {
  it('when rows of every kind straddle their windows, then exactly those older than the window (and settled) are deleted', async () => {
    const rawIds = {
      processedOld: await raw('processed', 32, 31),
      processedNew: await raw('processed', 30, 29),
      receivedOld: await raw('received', 100, null),
      failedOld: await raw('failed', 31, null),
      failedNew: await raw('failed', 29, null),
      pausedOld: await raw('paused', 100, null),
    };

    const settledOld = await event(181, true);
    const settledLog = await attempt(settledOld, 'sent', 181);
    const { rows: alertRows } = await db.pool.query<{ id: string }>(
      `INSERT INTO operator_alerts (event_id, title, detail) VALUES ($1, 't', 'd') RETURNING id::text`,
      [settledOld],
    );
    const { rows: timelineRows } = await db.pool.query<{ id: string }>(
      `INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, actor_type, created_at)
       VALUES ($1, $2, 'lead.created', 'Lead captured', 'customer', $3) RETURNING id::text`,
      [leadId, settledOld, daysAgo(181)],
    );
    const insideWindow = await event(179, true);
    const unprocessed = await event(200, false);
    const replayedRecently = await event(200, true);
    await attempt(replayedRecently, 'sent', 10);
    const freshDeadLetter = await event(200, true);
    await attempt(freshDeadLetter, 'dead', 20);
    const expiredDeadLetter = await event(200, true);
    await attempt(expiredDeadLetter, 'dead', 40);
    const { rows: digestRows } = await db.pool.query<{ id: string }>(
      `INSERT INTO digests (digest_date, time_zone, subject, text, html, created_at) VALUES ('2025-11-13', 'UTC', 's', 't', 'h', $1) RETURNING id::text`,
      [daysAgo(200)],
    );
    const digestEvent = await event(200, true, 'digest.sent', { digest_id: digestRows[0]!.id, date: '2025-11-13' });
    const { rows: orphanDigests } = await db.pool.query<{ id: string }>(
      `INSERT INTO digests (digest_date, time_zone, subject, text, html, created_at)
       VALUES ('2025-11-14', 'UTC', 's', 't', 'h', $1), ('2026-05-22', 'UTC', 's', 't', 'h', $2) RETURNING id::text`,
      [daysAgo(199), daysAgo(10)],
    );

    // Dead letters on events well inside the logs window.
    const recent = await event(40, true);
    const failedBefore = await attempt(recent, 'failed', 40, { attempt: 1 });
    const deadAfter = await attempt(recent, 'dead', 40, { attempt: 2 });
    const recentTwo = await event(40, true);
    const youngDead = await attempt(recentTwo, 'dead', 20);
    const recentThree = await event(40, true);
    const retriedDead = await attempt(recentThree, 'dead', 40, { retried: true });

    await db.pool.query(
      `INSERT INTO pending_erasures (lead_id, requested_at, requested_by) VALUES (gen_random_uuid(), $1, 'a'), (gen_random_uuid(), $2, 'b')`,
      [daysAgo(31), daysAgo(29)],
    );

    // Last, so it has the highest id: a delivery still queued for an old event (paused for months).
    const queuedOld = await event(250, true);
    const boss = await startJobQueue({
      connectionString: db.url,
      logger: createLogger({ level: 'silent' }),
      runsMaintenance: false,
      poolSize: 2,
    });
    try {
      await ensureDeliveryQueues(boss);
      await boss.insert('deliver-slack', [{ data: { eventId: queuedOld, tries: 0 } }]);
    } finally {
      await boss.stop({ graceful: false });
    }

    const batches: [string, number][] = [];
    const result = await pruneExpiredRows(db.pool, {
      now: NOW,
      retention: DEFAULTS,
      onBatch: (table, rows) => batches.push([table, rows]),
    });

    expect(result.ran).toBe(true);
    expect(result.pruned).toEqual({
      raw_leads: 2,
      lead_events: 3,
      notification_logs: 4,
      operator_alerts: 1,
      digests: 2,
      pending_erasures: 1,
    });
    expect(batches.reduce((sum, [, rows]) => sum + rows, 0)).toBe(13);

    const rawLeft = await Promise.all(Object.entries(rawIds).map(async ([name, id]) => [name, await exists('raw_leads', id)]));
    expect(Object.fromEntries(rawLeft)).toEqual({
      processedOld: false,
      processedNew: true,
      receivedOld: true,
      failedOld: false,
      failedNew: true,
      pausedOld: true,
    });
    const eventsLeft = {
      settledOld: await exists('lead_events', settledOld),
      insideWindow: await exists('lead_events', insideWindow),
      unprocessed: await exists('lead_events', unprocessed),
      replayedRecently: await exists('lead_events', replayedRecently),
      freshDeadLetter: await exists('lead_events', freshDeadLetter),
      expiredDeadLetter: await exists('lead_events', expiredDeadLetter),
      digestEvent: await exists('lead_events', digestEvent),
      recent: await exists('lead_events', recent),
      queuedOld: await exists('lead_events', queuedOld),
    };
    expect(eventsLeft).toEqual({
      settledOld: false,
      insideWindow: true,
      unprocessed: true,
      replayedRecently: true,
      freshDeadLetter: true,
      expiredDeadLetter: false,
      digestEvent: false,
      recent: true,
      queuedOld: true,
    });
    expect(await exists('notification_logs', settledLog)).toBe(false);
    expect(await exists('operator_alerts', alertRows[0]!.id)).toBe(false);
    expect(await exists('digests', digestRows[0]!.id)).toBe(false);
    expect(await exists('digests', orphanDigests[0]!.id)).toBe(false);
    expect(await exists('digests', orphanDigests[1]!.id)).toBe(true);
    expect({
      failedBefore: await exists('notification_logs', failedBefore),
      deadAfter: await exists('notification_logs', deadAfter),
      youngDead: await exists('notification_logs', youngDead),
      retriedDead: await exists('notification_logs', retriedDead),
    }).toEqual({ failedBefore: false, deadAfter: false, youngDead: true, retriedDead: true });
    // The lead's history stays; only the link to the pruned event goes.
    const { rows: timeline } = await db.pool.query(`SELECT event_id FROM conversation_timeline WHERE id = $1`, [timelineRows[0]!.id]);
    expect(timeline).toEqual([{ event_id: null }]);
    const { rows: pending } = await db.pool.query(`SELECT requested_by FROM pending_erasures`);
    expect(pending).toEqual([{ requested_by: 'b' }]);

    // A second run finds nothing more.
    const again = await pruneExpiredRows(db.pool, { now: NOW, retention: DEFAULTS });
    expect(Object.values(again.pruned).every((rows) => rows === 0)).toBe(true);
  });

  it('when more rows expired than one batch holds, then they go in batches of the given size', async () => {
    for (let index = 0; index < 5; index += 1) await raw('processed', 60, 60);
    const batches: number[] = [];
    const result = await pruneExpiredRows(db.pool, {
      now: NOW,
      retention: DEFAULTS,
      batchSize: 2,
      pauseBetweenBatchesMs: 0,
      onBatch: (table, rows) => {
        if (table === 'raw_leads') batches.push(rows);
      },
    });
    expect(batches).toEqual([2, 2, 1]);
    expect(result.pruned.raw_leads).toBe(5);
  });

  it('when a window is 0, then that class of rows is kept for ever', async () => {
    const id = await raw('processed', 400, 400);
    const result = await pruneExpiredRows(db.pool, { now: NOW, retention: { rawMs: 0, logsMs: 0, deadMs: 0 } });
    expect(result.pruned.raw_leads).toBe(0);
    expect(await exists('raw_leads', id)).toBe(true);
    await pruneExpiredRows(db.pool, { now: NOW, retention: DEFAULTS });
  });

  it('when another process is pruning, then a second run returns at once without deleting anything', async () => {
    const id = await raw('processed', 60, 60);
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtext('leadline:retention-prune'))`);
      const result = await pruneExpiredRows(db.pool, { now: NOW, retention: DEFAULTS });
      expect(result.ran).toBe(false);
      expect(await exists('raw_leads', id)).toBe(true);
    } finally {
      await other.end();
    }
  });
});
