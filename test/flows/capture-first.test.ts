/**
 * Capture first: while the API has more requests in flight than its pool serves at once, the relay gathers
 * (GATHER_WHILE_BUSY_MS) instead of making a pass per lead; while the API is overloaded (watchCaptureOverload,
 * unit-tested beside it), new alerts wait until the overload passes, at most OVERLOAD_ALERT_DELAY; once the
 * API is quiet again it relays at once. The load is the one the API keeps (shared with the worker thread).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATHER_WHILE_BUSY_MS, gatherWhileBusyMs } from '../../src/relay/start-relay.ts';
import type { Leadline } from '../../src/main.ts';
import { CaptureLoad } from '../../src/shared/capture-load.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';

const POOL_SIZE = 6;
let db: TestDatabase;
let app: Leadline & { url: string };
const OVERLOAD_ALERT_DELAY_MS = 3_000;
const load = new CaptureLoad();

beforeAll(async () => {
  db = await createTestDatabase('capture_first');
  app = await startTestLeadline(
    db.url,
    { DATABASE_POOL_SIZE: String(POOL_SIZE), RELAY_POLL_INTERVAL: '1s', OVERLOAD_ALERT_DELAY: `${OVERLOAD_ALERT_DELAY_MS / 1000}s` },
    { captureLoad: load },
  );
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

async function isRelayed(leadId: string): Promise<boolean> {
  const { rows } = await db.pool.query(
    `SELECT 1 FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.created' AND processed_at IS NOT NULL`,
    [leadId],
  );
  return rows.length > 0;
}

async function relayedAfterMs(leadId: string): Promise<number> {
  const row = await waitFor('the lead.created event to be relayed', async () => {
    const { rows } = await db.pool.query<{ waited_ms: number }>(
      `SELECT extract(epoch FROM e.processed_at - c.created_at) * 1000 AS waited_ms
         FROM lead_events e JOIN conversations c ON c.id = e.conversation_id
        WHERE e.conversation_id = $1 AND e.event_type = 'lead.created' AND e.processed_at IS NOT NULL`,
      [leadId],
    );
    return rows[0];
  });
  return Number(row.waited_ms);
}

describe('capture first', () => {
  it('when the API answers requests, then it counts each one until its response is done', async () => {
    const created = await postJson(`${app.url}/api/leads`, { name: 'Counted Person', email: 'counted@example.com' });
    expect(created.status).toBe(201);
    await waitFor('the finished request to leave the count', () => load.inFlight() === 0);
  });

  it(`when more requests are in flight than the pool serves, then a new lead is relayed only after ${GATHER_WHILE_BUSY_MS} ms of gathering`, async () => {
    // One more than the pool: the relay hears of the lead after its own request has been answered.
    for (let index = 0; index <= POOL_SIZE; index++) load.enter();
    try {
      const created = await postJson(`${app.url}/api/leads`, { name: 'Busy Person', email: 'busy@example.com' });
      expect(created.status).toBe(201);
      // The clock of created_at (Node) and processed_at (Postgres) is the same machine's; 50 ms covers rounding.
      expect(await relayedAfterMs(created.body.id as string)).toBeGreaterThanOrEqual(GATHER_WHILE_BUSY_MS - 50);
    } finally {
      for (let index = 0; index <= POOL_SIZE; index++) load.leave();
    }
  });

  it('when the poll interval is short, then the gathering takes at most half of it', () => {
    expect(gatherWhileBusyMs(1_000)).toBe(GATHER_WHILE_BUSY_MS);
    expect(gatherWhileBusyMs(500)).toBe(250);
  });

  it(`when the API stays overloaded, then a new lead's alert waits ${OVERLOAD_ALERT_DELAY_MS} ms (OVERLOAD_ALERT_DELAY) and no longer`, async () => {
    load.setOverloaded(true);
    try {
      const created = await postJson(`${app.url}/api/leads`, { name: 'Overload Person', email: 'overload@example.com' });
      expect(created.status).toBe(201);
      const waited = await relayedAfterMs(created.body.id as string);
      expect(waited).toBeGreaterThanOrEqual(OVERLOAD_ALERT_DELAY_MS - 50);
      // The bound is kept while the overload goes on: one check interval and one poll at most on top.
      expect(waited).toBeLessThan(OVERLOAD_ALERT_DELAY_MS + 1_500);
    } finally {
      load.setOverloaded(false);
    }
  });

  it('when an overload passes, then the leads that waited for it are relayed at once', async () => {
    load.setOverloaded(true);
    let created: Awaited<ReturnType<typeof postJson>>;
    try {
      created = await postJson(`${app.url}/api/leads`, { name: 'Burst Person', email: 'burst@example.com' });
      expect(created.status).toBe(201);
      // Longer than a pass takes when nothing holds it (NOTIFY wakes the relay within milliseconds).
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await isRelayed(created.body.id as string)).toBe(false);
    } finally {
      load.setOverloaded(false);
    }
    const passedAt = Date.now();
    await waitFor('the held lead to be relayed', () => isRelayed(created.body.id as string));
    expect(Date.now() - passedAt).toBeLessThan(OVERLOAD_ALERT_DELAY_MS - 1_000);
  });

  it('when the API is quiet again, then leads are relayed without gathering', async () => {
    const created = await postJson(`${app.url}/api/leads`, { name: 'Quiet Person', email: 'quiet@example.com' });
    expect(created.status).toBe(201);
    // NOTIFY woke the relay: well before the next poll (1 s).
    expect(await relayedAfterMs(created.body.id as string)).toBeLessThan(1_000);
  });
});
