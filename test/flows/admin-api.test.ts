import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIngestionStats } from '../../src/ingest/read-ingestion-stats.ts';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, TEST_ADMIN_KEY, waitFor } from '../helpers/start-test-leadline.ts';

let db: TestDatabase;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('admin_api');
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

async function getJson(
  path: string,
  headers: Record<string, string> = adminHeaders(),
  base = app.url,
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${base}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

async function capture(body: Record<string, unknown>, route = '/api/leads'): Promise<string> {
  const response = await postJson(`${app.url}${route}`, body);
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/** Inserts a lead directly, for states the API cannot produce quickly (old, breached, same microsecond). */
async function insertLead(fields: {
  name: string;
  source?: string;
  createdAt?: string;
  deadline?: string;
  breached?: boolean;
  quality?: string;
}): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(
    /* sql */ `INSERT INTO conversations (source, name, email, quality, idempotency_key, created_at, sla_response_deadline, sla_warning_at, sla_breached)
     VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), coalesce($7::timestamptz, now() + interval '1 hour'),
             coalesce($7::timestamptz, now() + interval '1 hour') - interval '10 minutes', $8)
     RETURNING id`,
    [
      fields.source ?? 'seeded',
      fields.name,
      `${randomUUID()}@example.com`,
      fields.quality ?? 'warm',
      `seed:${randomUUID()}`,
      fields.createdAt ?? null,
      fields.deadline ?? null,
      fields.breached ?? false,
    ],
  );
  return rows[0]!.id;
}

describe('admin key', () => {
  it.each(['/api/admin/leads', '/api/admin/stats', '/api/admin/stream', `/api/admin/leads/${randomUUID()}`])(
    'when %s is called without the key, then 401 problem+json',
    async (path) => {
      const response = await getJson(path, {});
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    },
  );

  it.each(['/api/admin/leads', '/api/admin/stats', '/api/admin/sla', '/api/admin/failed'])(
    'when %s carries the key in the URL, then 401 even with the right header, and the problem says to use the header',
    async (path) => {
      for (const headers of [{}, adminHeaders()]) {
        const response = await getJson(`${path}?key=${TEST_ADMIN_KEY}`, headers);
        expect(response.status).toBe(401);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.body.detail).toMatch(/never accepted in the URL.*Authorization: Bearer/);
      }
    },
  );
});

describe('GET /api/admin/leads', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    ids = {
      grace: await capture({
        name: 'Grace Hopper',
        email: 'grace@example.com',
        message: 'Quote for solar panels please',
        source: 'google-ads',
      }),
      alan: await capture({ name: 'Alan Turing', phone: '+14155550123', message: 'Call me about pricing' }),
      chat: await capture(
        { name: 'Chatty Cathy', email: 'cathy@example.com', messages: [{ role: 'user', content: 'Do you install heat pumps in Leeds?' }] },
        '/api/chatbot/leads',
      ),
      percent: await capture({ name: '100% Sure_Thing', email: 'sure@example.com', message: 'wildcards' }),
      plain: await capture({ name: '100 Percent Sure', email: 'plain@example.com', message: 'no wildcards' }),
    };
    await db.pool.query(`UPDATE conversations SET status = 'qualified' WHERE id = $1`, [ids['alan']]);
  });

  it('when called with the key, then the newest leads come first with contact, quality, status and SLA fields', async () => {
    const response = await getJson('/api/admin/leads');
    expect(response.status).toBe(200);
    expect(response.body.next_cursor).toBeNull();
    const first = response.body.items[0];
    expect(first).toMatchObject({ id: ids['plain'], name: '100 Percent Sure', email: 'plain@example.com', source: 'api', status: 'new' });
    expect(first).toEqual(
      expect.objectContaining({
        quality: expect.any(String),
        score: expect.any(Number),
        created_at: expect.any(String),
        sla_deadline: expect.any(String),
        sla_breached: false,
        sla_state: 'open',
      }),
    );
    // One name per fact: the deadline is `sla_deadline` in every admin response.
    expect(first).not.toHaveProperty('sla_response_deadline');
    const chat = response.body.items.find((item: { id: string }) => item.id === ids['chat']);
    expect(chat.message_preview).toBe('Do you install heat pumps in Leeds?');
  });

  it('when filtered by status, quality or source, then only matching leads are listed', async () => {
    expect((await getJson('/api/admin/leads?status=qualified')).body.items.map((i: { id: string }) => i.id)).toEqual([ids['alan']]);
    expect((await getJson('/api/admin/leads?source=google-ads')).body.items.map((i: { id: string }) => i.id)).toEqual([ids['grace']]);
    const { rows } = await db.pool.query<{ quality: string }>('SELECT quality FROM conversations WHERE id = $1', [ids['grace']]);
    const byQuality = (await getJson(`/api/admin/leads?quality=${rows[0]!.quality}`)).body.items as { quality: string }[];
    expect(byQuality.length).toBeGreaterThan(0);
    expect(byQuality.every((item) => item.quality === rows[0]!.quality)).toBe(true);
  });

  it.each([
    ['a name', 'grace hop', 'grace'],
    ['an email', 'CATHY@EXAMPLE', 'chat'],
    ['a phone written with punctuation', '(415) 555-0123', 'alan'],
    ['a message', 'solar panels', 'grace'],
    ['a chat transcript', 'heat pumps', 'chat'],
  ])('when searching by %s, then that lead is found', async (_label, q, key) => {
    const response = await getJson(`/api/admin/leads?q=${encodeURIComponent(q)}`);
    expect(response.body.items.map((i: { id: string }) => i.id)).toEqual([ids[key]]);
  });

  it('when the search holds LIKE wildcards, then they match literally', async () => {
    expect((await getJson(`/api/admin/leads?q=${encodeURIComponent('%')}`)).body.items.map((i: { id: string }) => i.id)).toEqual([
      ids['percent'],
    ]);
    expect((await getJson(`/api/admin/leads?q=${encodeURIComponent('_')}`)).body.items.map((i: { id: string }) => i.id)).toEqual([
      ids['percent'],
    ]);
    expect((await getJson(`/api/admin/leads?q=${encodeURIComponent('\\')}`)).body.items).toEqual([]);
  });

  it('when leads share one created_at to the microsecond, then cursor pages list each exactly once in order', async () => {
    const createdAt = '2020-01-02T03:04:05.123456Z';
    const seeded = new Set<string>();
    for (let i = 0; i < 7; i += 1) seeded.add(await insertLead({ name: `Same Time ${i}`, source: 'same-time', createdAt }));
    // One lead a microsecond later, which a millisecond cursor would mishandle.
    const later = await insertLead({ name: 'A microsecond later', source: 'same-time', createdAt: '2020-01-02T03:04:05.123457Z' });

    const seen: string[] = [];
    const cursors: (string | null)[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/admin/leads?source=same-time&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await getJson(query);
      expect(response.status).toBe(200);
      seen.push(...response.body.items.map((i: { id: string }) => i.id));
      cursor = response.body.next_cursor;
      cursors.push(cursor);
    } while (cursor && cursors.length < 10);
    // Three pages of 3, 3 and 2: two URL-safe cursors, then none.
    expect(cursors).toEqual([expect.stringMatching(/^[A-Za-z0-9_-]+$/), expect.stringMatching(/^[A-Za-z0-9_-]+$/), null]);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(seen[0]).toBe(later);
    expect(new Set(seen.slice(1))).toEqual(seeded);
    expect(seen.slice(1)).toEqual([...seeded].sort().reverse());
  });

  it('when leads are open, at risk, overdue, flagged by the monitor, or answered in time or late, then each row says so in sla_state, as its detail does', async () => {
    // minutes relative to now: [name, deadline, warning, first response or null, sla_breached]
    const seeds: [string, number, number, number | null, boolean][] = [
      ['open', 60, 50, null, false],
      ['at_risk', 5, -5, null, false],
      ['breached', -5, -15, null, false],
      ['breached', 30, 20, null, true],
      ['met', -30, -40, -35, false],
      ['missed', -30, -40, -20, false],
    ];
    const expected = new Map<string, string>();
    for (const [state, deadline, warning, response, breached] of seeds) {
      const { rows } = await db.pool.query<{ id: string }>(
        /* sql */ `INSERT INTO conversations (source, name, email, quality, idempotency_key, sla_response_deadline, sla_warning_at, first_response_at, sla_breached)
         VALUES ('sla-states', $1, 'state@example.com', 'warm', $2, now() + make_interval(mins => $3), now() + make_interval(mins => $4),
                 CASE WHEN $5::int IS NULL THEN NULL ELSE now() + make_interval(mins => $5::int) END, $6)
         RETURNING id`,
        [`${state} lead`, `seed:${randomUUID()}`, deadline, warning, response, breached],
      );
      expected.set(rows[0]!.id, state);
    }
    const listed = (await getJson('/api/admin/leads?source=sla-states')).body.items as { id: string; sla_state: string }[];
    expect(new Map(listed.map((item) => [item.id, item.sla_state]))).toEqual(expected);
    for (const [id, state] of expected) {
      const detail = (await getJson(`/api/admin/leads/${id}`)).body;
      expect(detail.lead.sla_state).toBe(state);
      expect(detail.lead.sla_deadline).toEqual(expect.any(String));
      expect(detail.lead).not.toHaveProperty('sla_response_deadline');
    }
  });

  it.each([
    ['limit=101', 'limit'],
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['status=archived', 'status'],
    ['quality=lukewarm', 'quality'],
    ['source=Not%20A%20Source', 'source'],
    ['cursor=not-a-cursor', 'cursor'],
    ['stauts=new', 'stauts'],
  ])('when the query has %s, then 400 problem+json names %s', async (query, path) => {
    const response = await getJson(`/api/admin/leads?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe('GET /api/admin/leads/:id', () => {
  it('when the id is not a UUID, then 400 with the id path', async () => {
    const response = await getJson('/api/admin/leads/not-a-uuid');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'id' })]);
  });

  it('when no lead has the id, then 404', async () => {
    const response = await getJson(`/api/admin/leads/${randomUUID()}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('when a lead exists, then its score reasons, messages, timeline, deliveries and tasks come back together', async () => {
    const id = await capture(
      {
        name: 'Detail Dora',
        email: 'dora@example.com',
        messages: [
          { role: 'bot', content: 'Hi! How can we help?' },
          { role: 'user', content: 'Burst pipe, urgent' },
        ],
      },
      '/api/chatbot/leads',
    );
    await db.pool.query(
      `INSERT INTO follow_up_tasks (conversation_id, title, follow_up_date, sla_deadline) VALUES ($1, 'Call Dora back', now() + interval '5 minutes', now() + interval '15 minutes')`,
      [id],
    );
    // The relay and the log channel run in this Leadline, so the lead.created delivery lands on its own.
    const detail = await waitFor('the log delivery of the new lead', async () => {
      const response = await getJson(`/api/admin/leads/${id}`);
      return response.body.deliveries?.some((d: { status: string }) => d.status === 'sent') ? response.body : undefined;
    });
    expect(detail.lead).toMatchObject({
      id,
      name: 'Detail Dora',
      email: 'dora@example.com',
      source: 'chatbot',
      quality: 'hot',
      status: 'new',
    });
    expect(detail.lead.score).toBeGreaterThan(0);
    expect(detail.lead.score_reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'urgent_words', points: expect.any(Number) })]),
    );
    expect(detail.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ['bot', 'Hi! How can we help?'],
      ['user', 'Burst pipe, urgent'],
    ]);
    expect(detail.timeline[0]).toMatchObject({ event_type: 'lead.created', actor_type: 'customer', title: expect.any(String) });
    expect(detail.notifications[0]).toMatchObject({ event_type: 'lead.created', channel: 'log', attempt: 1 });
    expect(detail.deliveries).toEqual([expect.objectContaining({ event_type: 'lead.created', channel: 'log', status: 'sent' })]);
    expect(detail.tasks).toEqual([expect.objectContaining({ title: 'Call Dora back', status: 'scheduled' })]);
    // Slack destinations can be webhook URLs: never part of the detail.
    expect(JSON.stringify(detail.notifications)).not.toContain('destination');
    expect(detail.lead).not.toHaveProperty('idempotency_key');
  });
});

describe('GET /api/admin/stats', () => {
  it('when leads, deliveries and dead letters exist, then the counts add up', async () => {
    const before = (await getJson('/api/admin/stats')).body;
    const id = await capture({ name: 'Stats Sam', email: 'sam@example.com', message: 'hello', source: 'stats-source' });
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM lead_events WHERE conversation_id = $1`, [id]);
    await db.pool.query(
      `INSERT INTO notification_logs (event_id, conversation_id, channel, status, attempt, error_kind, error_message) VALUES ($1, $2, 'slack', 'dead', 1, 'permanent', 'invalid_token')`,
      [rows[0]!.id, id],
    );
    await db.pool.query(`INSERT INTO raw_leads (source, body, status, error_message) VALUES ('meta', '{}', 'failed', 'graph said no')`);

    const response = await getJson('/api/admin/stats');
    expect(response.status).toBe(200);
    const stats = response.body;
    expect(stats.leads.total).toBe(before.leads.total + 1);
    expect(stats.leads.today).toBe(before.leads.today + 1);
    expect(stats.leads.by_source['stats-source']).toBe(1);
    expect(stats.leads.by_status.new).toBe((before.leads.by_status.new ?? 0) + 1);
    expect(Object.values(stats.leads.by_quality as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(stats.leads.total);
    expect(stats.dead_letters).toEqual({
      deliveries: before.dead_letters.deliveries + 1,
      ingestion: before.dead_letters.ingestion + 1,
      total: before.dead_letters.total + 2,
    });
    expect(stats.deliveries.slack.dead).toBeGreaterThanOrEqual(1);
    expect(stats.sla).toEqual(
      expect.objectContaining({
        window_days: 30,
        met: expect.any(Number),
        missed: expect.any(Number),
        at_risk: expect.any(Number),
        overdue: expect.any(Number),
      }),
    );
    expect(stats.outbox.unprocessed).toEqual(expect.any(Number));
    expect(stats.generated_at).toEqual(expect.any(String));
  });

  it('when leads were answered in time, late or not at all, then compliance is met / decided and open ones count as at risk or overdue', async () => {
    // Counts over the whole table: a database of its own, served by a Leadline of its own.
    const local = await createTestDatabase('admin_stats');
    const server = await startTestLeadline(local.url, { ROLE: 'api' });
    try {
      // minutes relative to now: [deadline, warning, first response or null]
      const leads: [number, number, number | null][] = [
        [60, 50, 0], // answered in time
        [-120, -130, -60], // answered an hour late
        [-1, -11, null], // unanswered, overdue
        [60, -1, null], // unanswered, at risk
        [60, 50, null], // unanswered, not decided yet
      ];
      for (const [deadline, warning, response] of leads) {
        await local.pool.query(
          /* sql */ `INSERT INTO conversations (source, name, email, quality, idempotency_key, sla_response_deadline, sla_warning_at, first_response_at)
           VALUES ('api', 'Seeded', 'seed@example.com', 'warm', $1, now() + make_interval(mins => $2), now() + make_interval(mins => $3),
                   CASE WHEN $4::int IS NULL THEN NULL ELSE now() + make_interval(mins => $4::int) END)`,
          [`seed:${randomUUID()}`, deadline, warning, response],
        );
      }
      const stats = await (await fetch(`${server.url}/api/admin/stats`, { headers: adminHeaders() })).json();
      expect(stats.sla).toEqual({ window_days: 30, met: 1, missed: 2, compliance_percent: 33.3, at_risk: 1, overdue: 1 });
      expect(stats.leads).toMatchObject({ total: 5, by_source: { api: 5 }, by_quality: { warm: 5 } });
    } finally {
      await server.stop();
      await local.drop();
    }
  });

  it('when the ingestion stats plug-in answers or fails, then its numbers are merged in or left out without failing the request', async () => {
    // main.ts plugs readIngestionStats in as `ingestion`; with its table away it fails, as any plug-in may.
    const good = await getJson('/api/admin/stats');
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ ingestion: await readIngestionStats(db.pool), leads: expect.any(Object) });
    expect(good.body.ingestion.raw_leads).toContainEqual({ source: 'meta', status: 'failed', count: 1 });
    expect(good.body).not.toHaveProperty('extra_stats_unavailable');
    await db.pool.query('ALTER TABLE ingestion_state RENAME TO ingestion_state_away');
    try {
      const bad = await getJson('/api/admin/stats');
      expect(bad.status).toBe(200);
      expect(bad.body).toMatchObject({ extra_stats_unavailable: true, leads: expect.any(Object) });
      expect(bad.body).not.toHaveProperty('ingestion');
    } finally {
      await db.pool.query('ALTER TABLE ingestion_state_away RENAME TO ingestion_state');
    }
  });
});
