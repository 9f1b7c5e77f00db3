import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../src/ingest/verify-standard-webhook.ts';
import { RETENTION_QUEUE } from '../../src/lifecycle/start-retention-job.ts';
import type { Leadline } from '../../src/main.ts';
import { adminHeaders, postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { startSlackStub, type SlackStub } from '../stubs/start-slack-stub.ts';
import { readStats, scanForPersonalData } from './lifecycle-harness.ts';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const tag = randomBytes(3).toString('hex');

let db: TestDatabase;
let slack: SlackStub;
let app: Leadline & { url: string };
let spoolDir: string;

beforeAll(async () => {
  db = await createTestDatabase('data_lifecycle');
  slack = await startSlackStub();
  spoolDir = await mkdtemp(path.join(os.tmpdir(), 'leadline-lifecycle-spool-'));
  app = await startTestLeadline(db.url, {
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_MIN_INTERVAL: '0',
    WEBHOOK_SECRETS: `probe=${SECRET}`,
    RATE_LIMIT_PER_MINUTE: '100000',
    SPOOL_DIR: spoolDir,
    DATABASE_TIMEOUT: '1s',
  });
});
afterAll(async () => {
  await app?.stop();
  await slack?.close();
  await db?.drop();
  if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
});

const admin = adminHeaders();

async function sendSigned(body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const text = JSON.stringify(body);
  const response = await fetch(`${app.url}/api/webhooks/probe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${signStandardWebhook(SECRET, id, timestamp, text)}`,
    },
    body: text,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function waitForSlackSent(leadId: string): Promise<void> {
  await waitFor(`the Slack alert of lead ${leadId}`, async () => {
    const { rows } = await db.pool.query(
      `SELECT 1 FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
        WHERE e.conversation_id = $1 AND e.event_type = 'lead.created' AND n.channel = 'slack' AND n.status = 'sent'`,
      [leadId],
    );
    return rows.length === 1;
  });
}

async function waitForOutboxEmpty(): Promise<void> {
  await waitFor('the outbox to be empty', async () => {
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM lead_events WHERE processed_at IS NULL`);
    return rows[0].n === 0;
  });
}

const slackTexts = () => slack.received.map((request) => request.rawBody).join('\n');

describe('export', () => {
  it('when a captured lead is exported, then one JSON document holds its email, messages, timeline, deliveries without destinations, and consent', async () => {
    const email = `export-${tag}@example.test`;
    const created = await postJson(`${app.url}/api/chatbot/leads`, {
      name: 'Export Person',
      email,
      messages: [
        { role: 'bot', content: 'How can we help?' },
        { role: 'user', content: 'I need a quote for solar panels' },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitForSlackSent(id);

    const response = await fetch(`${app.url}/api/admin/leads/${id}/export`, { headers: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="lead-${id}.json"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    const document = JSON.parse(text);
    expect(document).toMatchObject({ format: 'leadline.lead-export.v1', lead: { id, email, name: 'Export Person', source: 'chatbot' } });
    expect(document.messages.map((m: { content: string }) => m.content)).toEqual(['How can we help?', 'I need a quote for solar panels']);
    expect(document.timeline.map((t: { event_type: string }) => t.event_type)).toContain('lead.created');
    expect(document.events.map((e: { event_type: string }) => e.event_type)).toContain('lead.created');
    expect(document.deliveries).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent' })]);
    expect(document.deliveries[0]).not.toHaveProperty('destination');
    // The Slack webhook URL is a secret of the team, not data of the lead.
    expect(text).not.toContain(new URL(slack.url).pathname);
    const { rows } = await db.pool.query(`SELECT actor FROM audit_log WHERE action = 'lead.export' AND target_id = $1`, [id]);
    expect(rows).toEqual([{ actor: 'admin-api-key' }]);
  });

  it('when a lead that does not exist is exported, then 404 problem+json', async () => {
    const response = await fetch(`${app.url}/api/admin/leads/${randomUUID()}/export`, { headers: admin });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('erasure', () => {
  const person = { name: `Erasmus Probe-${tag}`, email: `erasmus-${tag}@example.test`, phone: '+14155550177' };
  const other = { name: `Otto Keeper-${tag}`, email: `otto-${tag}@example.test` };

  it('when a lead is erased, then no column of any table in public or pg-boss holds its name, email or phone, the stats are unchanged, and an anonymous tombstone remains', async () => {
    const captured = await sendSigned({
      name: person.name,
      email: person.email,
      phone: person.phone,
      message: `Hi, ${person.name} here: please call ${person.phone} about a new roof`,
      custom_fields: { contact_name: person.name, budget: '10k' },
      metadata: { utm_source: 'ads', page_url: `https://shop.example/roof?email=${person.email}` },
      consent: { given: true, version: 'privacy-v7', page: 'https://shop.example/roof' },
    });
    expect(captured.status).toBe(201);
    const id = captured.body.id as string;
    const control = await postJson(`${app.url}/api/leads`, { name: other.name, email: other.email, message: 'keep me' });
    expect(control.status).toBe(201);
    await Promise.all([waitForSlackSent(id), waitForSlackSent(control.body.id)]);

    // Traces elsewhere, each where a real run can leave one.
    const respond = await postJson(
      `${app.url}/api/admin/leads/${id}/respond`,
      { note: `Called ${person.phone}, left a message for ${person.name}` },
      admin,
    );
    expect(respond.status).toBe(200);
    const failedPayload = await sendSigned({ name: person.name, email: person.email, not_a_field: true });
    expect(failedPayload.status).toBe(400);
    await db.pool.query(
      `INSERT INTO digests (digest_date, time_zone, subject, text, html, named_lead_ids)
       VALUES ('2026-01-02', 'UTC', 'Leadline digest', $1, $2, ARRAY[$3::uuid, $4::uuid])`,
      [
        `Breached: HOT ${person.name} (probe); WARM ${other.name} (api)`,
        `<li>HOT ${person.name} (probe)</li><li>${other.name}</li>`,
        id,
        control.body.id,
      ],
    );
    const { rows: createdEvents } = await db.pool.query(
      `SELECT id FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.created'`,
      [id],
    );
    await db.pool.query(`INSERT INTO operator_alerts (event_id, title, detail) VALUES ($1, 'Slack delivery failed', $2)`, [
      createdEvents[0].id,
      `The alert for ${person.email} was refused`,
    ]);
    await db.pool.query(`UPDATE notification_logs SET error_message = $2 WHERE conversation_id = $1`, [id, `550 ${person.email} unknown`]);
    await db.pool.query(`INSERT INTO ingestion_state (source, scope, status, last_error) VALUES ('meta', $1, 'error', $2)`, [
      `form-${tag}`,
      `lead of ${person.email} could not be fetched`,
    ]);
    await db.pool.query(`INSERT INTO audit_log (actor, action, details) VALUES ('admin-api-key', 'note', $1)`, [
      JSON.stringify({ note: `spoke to ${person.name}` }),
    ]);
    await db.pool.query(
      `INSERT INTO follow_up_tasks (conversation_id, kind, title, follow_up_date, sla_deadline)
       VALUES ($1, 'manual', $2, now() + interval '1 day', now() + interval '1 day')`,
      [id, `Call ${person.name} back`],
    );
    await app.boss.createQueue('lifecycle-probe');
    await app.boss.send('lifecycle-probe', { note: `call ${person.email}` }, { startAfter: 3600 });
    await waitForOutboxEmpty();

    const needles = [person.name, person.email, person.phone];
    const before = await scanForPersonalData(db.pool, needles);
    // The scan sees what it must later not see: the lead, its payloads, and every seeded trace.
    for (const column of [
      'public.conversations.name',
      'public.chat_messages.content',
      'public.raw_leads.body',
      'public.conversation_timeline.description',
      'public.digests.text',
      'public.operator_alerts.detail',
      'public.notification_logs.error_message',
      'public.ingestion_state.last_error',
      'public.audit_log.details',
      'public.follow_up_tasks.title',
      'pgboss.job.data',
    ]) {
      expect(before.map((hit) => hit.column)).toContain(column);
    }
    const { rows: beforeRows } = await db.pool.query(`SELECT * FROM conversations WHERE id = $1`, [id]);
    const statsBefore = await readStats(app.url, admin);

    const erased = await fetch(`${app.url}/api/admin/leads/${id}`, { method: 'DELETE', headers: admin });
    expect(erased.status).toBe(204);
    expect(await erased.text()).toBe('');

    expect(await scanForPersonalData(db.pool, needles)).toEqual([]);
    expect(await readStats(app.url, admin)).toEqual(statsBefore);

    // The other lead and the other name in the shared digest are untouched.
    const { rows: others } = await db.pool.query(`SELECT email FROM conversations WHERE id = $1`, [control.body.id]);
    expect(others).toEqual([{ email: other.email }]);
    const { rows: digests } = await db.pool.query(`SELECT text FROM digests WHERE digest_date = '2026-01-02'`);
    expect(digests[0].text).toBe(`Breached: HOT [erased] (probe); WARM ${other.name} (api)`);

    const [was] = beforeRows;
    const { rows: tombstones } = await db.pool.query(`SELECT * FROM conversations WHERE id = $1`, [id]);
    expect(tombstones[0]).toMatchObject({
      id,
      source: 'probe',
      quality: was.quality,
      score: was.score,
      status: was.status,
      created_at: was.created_at,
      first_response_at: was.first_response_at,
      sla_response_deadline: was.sla_response_deadline,
      sla_breached: was.sla_breached,
      name: null,
      email: null,
      phone: null,
      message: null,
      metadata: {},
      custom_fields: {},
      erased_at: expect.any(Date),
      consent: {
        given: true,
        version: 'privacy-v7',
        text: null,
        page: null,
        given_at: was.consent.given_at,
        source: 'probe',
        erased: true,
      },
    });
    const { rows: timeline } = await db.pool.query(
      `SELECT event_type, title, description, actor_id FROM conversation_timeline WHERE conversation_id = $1 ORDER BY id`,
      [id],
    );
    expect(timeline.at(-1)).toEqual({
      event_type: 'lead.erased',
      title: 'Personal data erased',
      description: expect.any(String),
      actor_id: 'admin-api-key',
    });
    expect(timeline.slice(0, -1).every((row) => row.description === null)).toBe(true);
    const { rows: events } = await db.pool.query(
      `SELECT payload, processed_at IS NOT NULL AS processed FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.erased'`,
      [id],
    );
    expect(events).toEqual([{ payload: { erased_at: expect.any(String), via: 'admin' }, processed: true }]);
    const { rows: audit } = await db.pool.query(`SELECT actor, details FROM audit_log WHERE action = 'lead.erase' AND target_id = $1`, [
      id,
    ]);
    expect(audit).toEqual([{ actor: 'admin-api-key', details: expect.objectContaining({ via: 'admin', messages: 1, raw_payloads: 2 }) }]);
    const { rows: tasks } = await db.pool.query(`SELECT status FROM follow_up_tasks WHERE conversation_id = $1 AND kind = 'manual'`, [id]);
    expect(tasks).toEqual([{ status: 'cancelled' }]);

    // The admin API no longer shows the person; a repeat is not an error.
    expect((await fetch(`${app.url}/api/admin/leads/${id}`, { headers: admin })).status).toBe(404);
    expect((await fetch(`${app.url}/api/admin/leads/${id}/export`, { headers: admin })).status).toBe(404);
    const list = await (await fetch(`${app.url}/api/admin/leads?source=probe`, { headers: admin })).json();
    expect(list.items.map((item: { id: string }) => item.id)).not.toContain(id);
    expect((await postJson(`${app.url}/api/admin/leads/${id}/respond`, {}, admin)).status).toBe(404);
    const again = await fetch(`${app.url}/api/admin/leads/${id}`, { method: 'DELETE', headers: admin });
    expect(again.status).toBe(204);
    expect(await readStats(app.url, admin)).toEqual(statsBefore);
  });

  it('when an id no lead has is erased, then 404 problem+json, and the request is remembered for a lead still in a spool', async () => {
    const id = randomUUID();
    const response = await fetch(`${app.url}/api/admin/leads/${id}`, { method: 'DELETE', headers: admin });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const { rows } = await db.pool.query(`SELECT requested_by FROM pending_erasures WHERE lead_id = $1`, [id]);
    expect(rows).toEqual([{ requested_by: 'admin-api-key' }]);
  });

  it('when the id is not a UUID, then 400 naming id', async () => {
    const response = await fetch(`${app.url}/api/admin/leads/not-a-uuid`, { method: 'DELETE', headers: admin });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([{ path: 'id', message: expect.any(String) }]);
  });
});

describe('erasure and queued deliveries', () => {
  it('when a lead is erased while deliveries are paused, then its queued alert is never sent after resume and ends as skipped', async () => {
    expect((await postJson(`${app.url}/api/admin/pause`, {}, admin)).body).toEqual({ paused: true });
    let resumed = false;
    try {
      const paused = { name: `Paula Paused-${tag}`, email: `paula-${tag}@example.test` };
      const created = await postJson(`${app.url}/api/leads`, { ...paused, message: 'Please call me' });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const eventId = await waitFor('the relay to queue the alert', async () => {
        const { rows } = await db.pool.query(
          `SELECT id::text FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.created' AND processed_at IS NOT NULL`,
          [id],
        );
        return rows[0]?.id as string | undefined;
      });
      const { rows: queued } = await db.pool.query(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'deliver-slack' AND data->>'eventId' = $1 AND state IN ('created', 'retry')`,
        [eventId],
      );
      expect(queued[0].n).toBe(1);

      expect((await fetch(`${app.url}/api/admin/leads/${id}`, { method: 'DELETE', headers: admin })).status).toBe(204);
      expect((await postJson(`${app.url}/api/admin/resume`, {}, admin)).body).toEqual({ paused: false });
      resumed = true;

      const { rows: skipped } = await waitFor('the queued alert to be closed', async () => {
        const result = await db.pool.query(`SELECT status, error_message FROM notification_logs WHERE event_id = $1`, [eventId]);
        return result.rows.length > 0 && result.rows.every((row) => row.status !== 'sending') ? result : undefined;
      });
      expect(skipped).toEqual([{ status: 'skipped', error_message: expect.not.stringContaining(paused.email) }]);
      // Deliveries do run again: a lead captured now is alerted, and the erased one still never was.
      const after = await postJson(`${app.url}/api/leads`, { name: `After Resume-${tag}`, email: `after-${tag}@example.test` });
      await waitForSlackSent(after.body.id);
      expect(slackTexts()).not.toContain(paused.email);
      expect(slackTexts()).not.toContain(paused.name);
    } finally {
      if (!resumed) await postJson(`${app.url}/api/admin/resume`, {}, admin);
    }
  });
});

describe('erasure and the spool', () => {
  it('when a spooled lead is erased before it reaches the database, then it is written as a tombstone and never alerted', async () => {
    const spooled = { name: `Sepp Spooled-${tag}`, email: `sepp-${tag}@example.test` };
    // lead_events locked: the capture statement cannot finish, so the lead goes to the spool; the erasure
    // only needs conversations and pending_erasures, which stay free.
    const lock = new pg.Client({ connectionString: db.url });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE lead_events IN ACCESS EXCLUSIVE MODE');
    let released = false;
    try {
      const answer = await postJson(`${app.url}/api/submit-contact`, { ...spooled, message: 'Call me' });
      expect(answer).toMatchObject({ status: 202, body: { spooled: true } });
      const id = answer.body.id as string;
      await waitFor('the capture statement to give up on the lock', async () => {
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'leadline-api' AND wait_event_type = 'Lock'`,
        );
        return rows[0].n === 0;
      });
      const erased = await fetch(`${app.url}/api/admin/leads/${id}`, { method: 'DELETE', headers: admin });
      expect(erased.status).toBe(404);

      await lock.query('COMMIT');
      released = true;
      const tombstone = await waitFor('the spooled lead to be written', async () => {
        const { rows } = await db.pool.query(`SELECT name, email, erased_at FROM conversations WHERE id = $1`, [id]);
        return rows[0];
      });
      expect(tombstone).toEqual({ name: null, email: null, erased_at: expect.any(Date) });
      const { rows: pending } = await db.pool.query(`SELECT 1 FROM pending_erasures WHERE lead_id = $1`, [id]);
      expect(pending).toEqual([]);
      await waitFor('its alert to be closed as skipped', async () => {
        const { rows } = await db.pool.query(
          `SELECT n.status FROM notification_logs n JOIN lead_events e ON e.id = n.event_id WHERE e.conversation_id = $1 AND e.event_type = 'lead.created'`,
          [id],
        );
        return rows.length === 1 && rows[0].status === 'skipped';
      });
      expect(slackTexts()).not.toContain(spooled.email);
      expect(await scanForPersonalData(db.pool, [spooled.name, spooled.email])).toEqual([]);
    } finally {
      if (!released) await lock.query('COMMIT');
      await lock.end();
    }
  });
});

describe('retention', () => {
  it('when the daily retention job runs, then processed raw payloads older than RETENTION_RAW are gone, newer ones stay, and /metrics counts them', async () => {
    const { rows } = await db.pool.query<{ id: string; processed_at: Date }>(
      `INSERT INTO raw_leads (source, body, status, received_at, processed_at)
       VALUES ('probe', 'old', 'processed', now() - interval '31 days', now() - interval '31 days'),
              ('probe', 'new', 'processed', now() - interval '29 days', now() - interval '29 days')
       RETURNING id::text, body`,
    );
    const [old, recent] = rows as unknown as { id: string; body: string }[];
    await app.boss.send(RETENTION_QUEUE, {});
    await waitFor('the old payload to be pruned', async () => {
      const { rows: left } = await db.pool.query(`SELECT id::text FROM raw_leads WHERE id = ANY($1::bigint[])`, [[old!.id, recent!.id]]);
      return left.length === 1 ? left : undefined;
    }).then((left) => expect(left).toEqual([{ id: recent!.id }]));
    const metrics = await waitFor('the pruned rows in /metrics', async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      return /leadline_retention_pruned_total\{table="raw_leads"\} [1-9]/.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/leadline_retention_pruned_total\{table="lead_events"\} \d+/);
  });
});
