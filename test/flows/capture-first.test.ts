/**
 * Capture first: while the API has more requests in flight than its pool serves at once, the relay gathers
 * (GATHER_WHILE_BUSY_MS) instead of making a pass per lead, and once the API is quiet again it relays at
 * once. The count of requests in flight is the one the API keeps (shared with the worker thread).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATHER_WHILE_BUSY_MS, gatherWhileBusyMs } from '../../src/relay/start-relay.ts';
import type { Leadline } from '../../src/main.ts';
import { RequestsInFlight } from '../../src/shared/requests-in-flight.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';

const POOL_SIZE = 6;
let db: TestDatabase;
let app: Leadline & { url: string };
const inFlight = new RequestsInFlight();

beforeAll(async () => {
  db = await createTestDatabase('capture_first');
  app = await startTestLeadline(
    db.url,
    { DATABASE_POOL_SIZE: String(POOL_SIZE), RELAY_POLL_INTERVAL: '1s' },
    { requestsInFlight: inFlight },
  );
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

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
    await waitFor('the finished request to leave the count', () => inFlight.count() === 0);
  });

  it(`when more requests are in flight than the pool serves, then a new lead is relayed only after ${GATHER_WHILE_BUSY_MS} ms of gathering`, async () => {
    // One more than the pool: the relay hears of the lead after its own request has been answered.
    for (let index = 0; index <= POOL_SIZE; index++) inFlight.enter();
    try {
      const created = await postJson(`${app.url}/api/leads`, { name: 'Busy Person', email: 'busy@example.com' });
      expect(created.status).toBe(201);
      // The clock of created_at (Node) and processed_at (Postgres) is the same machine's; 50 ms covers rounding.
      expect(await relayedAfterMs(created.body.id as string)).toBeGreaterThanOrEqual(GATHER_WHILE_BUSY_MS - 50);
    } finally {
      for (let index = 0; index <= POOL_SIZE; index++) inFlight.leave();
    }
  });

  it('when the poll interval is short, then the gathering takes at most half of it', () => {
    expect(gatherWhileBusyMs(1_000)).toBe(GATHER_WHILE_BUSY_MS);
    expect(gatherWhileBusyMs(500)).toBe(250);
  });

  it('when the API is quiet again, then leads are relayed without gathering', async () => {
    const created = await postJson(`${app.url}/api/leads`, { name: 'Quiet Person', email: 'quiet@example.com' });
    expect(created.status).toBe(201);
    // NOTIFY woke the relay: well before the next poll (1 s).
    expect(await relayedAfterMs(created.body.id as string)).toBeLessThan(1_000);
  });
});
