import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, keepDatabaseOnFailure, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, TEST_ADMIN_KEY, waitFor } from '../helpers/start-test-leadline.ts';
import { adminSurfaceOf, openEventStream, serveAdminRead, type AdminSurface, type EventStreamReader } from './admin-helpers.ts';

let db: TestDatabase;
let app: Leadline & { url: string };
let admin: AdminSurface;
/** A server of our own for knobs main.ts does not expose (a 50 ms heartbeat) and for stopping its hub. */
let own: Awaited<ReturnType<typeof serveAdminRead>>;
const open: EventStreamReader[] = [];

beforeAll(async () => {
  db = await createTestDatabase('admin_stream');
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000' });
  admin = await adminSurfaceOf(app);
  own = await serveAdminRead({ db: app.pool, connectionString: app.databaseUrl, heartbeatIntervalMs: 50 });
});
afterAll(async () => {
  for (const stream of open) stream.close();
  await own?.close();
  await admin?.stop();
  await app?.stop();
  await db?.drop();
});

async function stream(url: string, headers: Record<string, string> = adminHeaders()): Promise<EventStreamReader> {
  const reader = await openEventStream(url, headers);
  open.push(reader);
  return reader;
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

/** Backends of this database whose last statement was LISTEN on the admin stream channel. */
async function streamListeners(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%leadline_events%'`,
  );
  return rows[0]!.n;
}

describe('GET /api/admin/stream', () => {
  it('when a lead is captured, then every open stream gets its lead.created event with ids and type only', async () => {
    keepDatabaseOnFailure();
    const first = await stream(`${admin.url}/api/admin/stream`);
    const second = await stream(`${admin.url}/api/admin/stream`);
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
    const response = await fetch(`${admin.url}/api/admin/stream${query}`, { headers: { accept: 'text/event-stream', ...headers } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { detail: string };
    expect(problem.detail).toContain('Authorization: Bearer');
    expect(problem.detail).toContain('URL');
  });

  it('when several browsers are streaming, then the process holds one LISTEN connection for all of them', async () => {
    const before = await streamListeners();
    const readers = await Promise.all([1, 2, 3].map(() => stream(`${own.url}/api/admin/stream`)));
    expect(readers.every((r) => r.status === 200)).toBe(true);
    expect(own.hub.status()).toMatchObject({ subscribers: 3, listening: true });
    // Three streams on a hub that had none: exactly one more LISTEN connection, not three.
    expect(await streamListeners()).toBe(before + 1);
  });

  it('when the stream is idle, then heartbeat comments keep it open', async () => {
    const reader = await stream(`${own.url}/api/admin/stream`);
    await waitFor('two heartbeats', () => reader.comments.filter((c) => c === 'heartbeat').length >= 2);
    expect(reader.comments[0]).toBe('connected');
  });

  it('when a browser comes back with Last-Event-ID, then it first gets the events it missed', async () => {
    const watcher = await stream(`${own.url}/api/admin/stream`);
    const a = await capture('Missed Mia');
    const first = await waitFor('the first event', () =>
      watcher.events.find((e) => e.data['conversation_id'] === a && e.data['event_type'] === 'lead.created'),
    );
    const b = await capture('Missed Max');
    const c = await capture('Missed Moe');
    await waitFor('the later events', () => watcher.events.some((e) => e.data['conversation_id'] === c));

    const resumed = await stream(`${own.url}/api/admin/stream`, adminHeaders({ 'last-event-id': first.id }));
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
    keepDatabaseOnFailure();
    const reader = await stream(`${own.url}/api/admin/stream`);
    const { rows } = await db.pool.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%leadline_events%'`,
    );
    expect(rows.length).toBeGreaterThan(0);
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

  it('when the hub stops (shutdown), then open streams are ended so the server can close', async () => {
    const extra = await serveAdminRead({ db: app.pool, connectionString: app.databaseUrl });
    const reader = await stream(`${extra.url}/api/admin/stream`);
    expect(reader.status).toBe(200);
    await extra.hub.stop();
    await reader.ended;
    await extra.close();
  });
});
