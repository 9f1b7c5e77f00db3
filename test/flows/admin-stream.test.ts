import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, TEST_ADMIN_KEY, waitFor } from '../helpers/start-test-leadline.ts';
import { openEventStream, type EventStreamReader } from './admin-helpers.ts';

let db: TestDatabase;
let app: Leadline & { url: string };
const open: EventStreamReader[] = [];

beforeAll(async () => {
  db = await createTestDatabase('admin_stream');
  // A 50 ms heartbeat instead of 15 s, so the heartbeat test does not wait.
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000' }, { adminStreamHeartbeatIntervalMs: 50 });
});
afterAll(async () => {
  for (const stream of open) stream.close();
  await app?.stop();
  await db?.drop();
});

async function stream(url: string, headers: Record<string, string> = adminHeaders()): Promise<EventStreamReader> {
  const reader = await openEventStream(url, headers);
  open.push(reader);
  return reader;
}

/** The value of `promise`, or 'timed out' if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function capture(name: string): Promise<string> {
  const response = await postJson(`${app.url}/api/leads`, {
    name,
    email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`,
    message: 'hello',
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/**
 * The admin stream hub's LISTEN connections (application name `leadline-listener-admin`; the SLA monitor listens on
 * the same channel under `leadline-listener-sla`). By name, not by last statement: a heartbeat replaces it.
 */
const HUB_BACKENDS = /* sql */ `FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'leadline-listener-admin'`;

async function streamListeners(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n ${HUB_BACKENDS}`);
  return rows[0]!.n;
}

describe('GET /api/admin/stream', () => {
  it('when a lead is captured, then every open stream gets its lead.created event with ids and type only', async () => {
    const first = await stream(`${app.url}/api/admin/stream`);
    const second = await stream(`${app.url}/api/admin/stream`);
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/event-stream');
    expect(second.status).toBe(200);

    const id = await capture('Streamed Stella');
    for (const reader of [first, second]) {
      const event = await waitFor('lead.created on the stream', () =>
        reader.events.find((e) => e.data['conversation_id'] === id && e.data['event_type'] === 'lead.created'),
      );
      expect(Object.keys(event.data).sort()).toEqual(['conversation_id', 'created_at', 'event_type', 'id']);
      expect(event.id).toBe(event.data['id']);
      expect(event.id).toMatch(/^\d+$/);
    }
    const everything = JSON.stringify([...first.events, ...second.events]);
    expect(everything).not.toContain('example.com');
    expect(everything).not.toContain('Stella');
  });

  it.each([
    ['the right key in the URL', `?key=${TEST_ADMIN_KEY}`, {}],
    ['the right key in the URL and in the header', `?key=${TEST_ADMIN_KEY}`, adminHeaders()],
    ['an empty key parameter next to the right header', '?key=', adminHeaders()],
  ])('when the stream is asked for with %s, then 401 problem+json pointing to the Authorization header', async (_label, query, headers) => {
    const response = await fetch(`${app.url}/api/admin/stream${query}`, { headers: { accept: 'text/event-stream', ...headers } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { detail: string };
    expect(problem.detail).toContain('Authorization: Bearer');
    expect(problem.detail).toContain('URL');
  });

  it('when several browsers are streaming, then the process holds one LISTEN connection for all of them', async () => {
    const readers = await Promise.all([1, 2, 3].map(() => stream(`${app.url}/api/admin/stream`)));
    expect(readers.map((r) => r.status)).toEqual([200, 200, 200]);
    // Each stream is live: a new lead reaches all three (and the streams of the tests before).
    const id = await capture('Shared Sam');
    for (const reader of readers)
      await waitFor('the lead on every stream', () => reader.events.some((e) => e.data['conversation_id'] === id));
    // However many streams are open, the process holds one LISTEN connection for them.
    expect(await streamListeners()).toBe(1);
  });

  it('when the stream is idle, then heartbeat comments keep it open', async () => {
    const reader = await stream(`${app.url}/api/admin/stream`);
    await waitFor('two heartbeats', () => reader.comments.filter((c) => c === 'heartbeat').length >= 2);
    expect(reader.comments[0]).toBe('connected');
  });

  it('when a browser comes back with Last-Event-ID, then it first gets the events it missed', async () => {
    const watcher = await stream(`${app.url}/api/admin/stream`);
    const a = await capture('Missed Mia');
    const first = await waitFor('the first event', () =>
      watcher.events.find((e) => e.data['conversation_id'] === a && e.data['event_type'] === 'lead.created'),
    );
    const b = await capture('Missed Max');
    const c = await capture('Missed Moe');
    await waitFor('the later events', () => watcher.events.some((e) => e.data['conversation_id'] === c));

    const resumed = await stream(`${app.url}/api/admin/stream`, adminHeaders({ 'last-event-id': first.id }));
    const created = (reader: EventStreamReader, lead: string) =>
      reader.events.findIndex((e) => e.data['conversation_id'] === lead && e.data['event_type'] === 'lead.created');
    await waitFor('the backlog', () => created(resumed, c) >= 0);
    expect(resumed.events.some((e) => e.id === first.id)).toBe(false);
    expect(resumed.events.every((e) => BigInt(e.id) > BigInt(first.id))).toBe(true);
    expect(created(resumed, b)).toBeGreaterThanOrEqual(0);
    expect(created(resumed, b)).toBeLessThan(created(resumed, c));
    expect(new Set(resumed.events.map((e) => e.id)).size).toBe(resumed.events.length);
  });

  it('when the LISTEN connection is killed, then it reconnects and open streams still get new events', async () => {
    const reader = await stream(`${app.url}/api/admin/stream`);
    const { rows } = await db.pool.query<{ terminated: boolean }>(`SELECT pg_terminate_backend(pid) AS terminated ${HUB_BACKENDS}`);
    expect(rows).toEqual([{ terminated: true }]);
    // Captured while the listener may still be down: the catch-up after reconnecting delivers it.
    const id = await capture('Reconnect Rita');
    const createdFor = (lead: string) =>
      reader.events.filter((e) => e.data['conversation_id'] === lead && e.data['event_type'] === 'lead.created');
    await waitFor('the event after the reconnect', () => createdFor(id).length > 0, 20_000);
    const later = await capture('Reconnect Ray');
    await waitFor('a live event on the new connection', () => createdFor(later).length > 0, 20_000);
    expect(createdFor(id)).toHaveLength(1);
    expect(new Set(reader.events.map((e) => e.id)).size).toBe(reader.events.length);
  });

  it('when the process stops (shutdown) with a stream open, then the stream is ended by the server and the stop completes', async () => {
    const second = await startTestLeadline(db.url, { ROLE: 'api' });
    let stopping: Promise<void> | undefined;
    try {
      const reader = await stream(`${second.url}/api/admin/stream`);
      expect(reader.status).toBe(200);
      await waitFor('the stream to be connected', () => reader.comments.includes('connected'));
      stopping = second.stop();
      // Generous bounds (a shutdown takes well under a second): a stream the hub did not end would hold
      // server.close(), and so the stop, until the test timed out.
      expect(await within(reader.ended, 15_000)).toBe('server');
      expect(
        await within(
          stopping.then(() => 'stopped'),
          15_000,
        ),
      ).toBe('stopped');
    } finally {
      await (stopping ?? second.stop());
    }
  });
});
