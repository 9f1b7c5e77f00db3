import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load-config.ts';
import type { Leadline } from '../../src/main.ts';
import { webhookPayloadSchema } from '../../src/channels/webhook/format-webhook-payload.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { startSlackStub, type SlackStub } from '../stubs/start-slack-stub.ts';
import { RECEIVER_SECRET_PATH, startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../stubs/start-webhook-receiver.ts';

const execFileAsync = promisify(execFile);

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const NEXT_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ENDPOINTS = ['crm', 'zap', 'gone'] as const;

let db: TestDatabase;
let receiver: WebhookReceiver;
let slack: SlackStub;
let app: Leadline & { url: string };
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase('outbound_webhooks');
  [receiver, slack] = await Promise.all([startWebhookReceiver(), startSlackStub()]);
  env = {
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_MIN_INTERVAL: '0',
    OUTBOUND_WEBHOOKS: ENDPOINTS.map((name) => `${name}=${receiver.urlFor(name)}`).join(','),
    OUTBOUND_WEBHOOK_SECRET: `${SECRET} ${NEXT_SECRET}`,
    OUTBOUND_ALLOW_PRIVATE: 'true',
    PUBLIC_URL: 'https://leads.example.com',
    RATE_LIMIT_PER_MINUTE: '100000',
  };
  app = await startTestLeadline(db.url, env);
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([receiver?.close(), slack?.close()]);
  await db?.drop();
});

let serial = 0;
async function postLead(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  serial += 1;
  const response = await postJson(`${app.url}/api/leads`, {
    name,
    email: `webhook-lead-${serial}-${Date.now()}@example.com`,
    phone: '+442071838750',
    message: `Please call me about order ${serial}`,
    ...extra,
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/** The requests `endpoint` got about the lead `leadId`, in arrival order. */
const requestsAbout = (endpoint: string, leadId: string, type?: string): ReceivedWebhook[] =>
  receiver.receivedBy(endpoint).filter((request) => {
    const payload = request.payload as { type?: string; data?: { lead?: { id?: string } } } | null;
    return payload?.data?.lead?.id === leadId && (type === undefined || payload.type === type);
  });

async function webhookRows(leadId: string, eventType = 'lead.created') {
  const { rows } = await db.pool.query<{ event_id: string; channel: string; status: string; attempt: number; error_kind: string | null }>(
    `SELECT n.event_id::text, n.channel, n.status, n.attempt, n.error_kind FROM notification_logs n
     JOIN lead_events e ON e.id = n.event_id
     WHERE e.conversation_id = $1 AND e.event_type = $2 AND n.channel LIKE 'webhook:%' ORDER BY n.id`,
    [leadId, eventType],
  );
  return rows;
}

/** Waits until every endpoint's delivery of the lead's event is finished: sent, dead, or held (skipped, or the 410 itself). */
async function settled(leadId: string, eventType = 'lead.created', endpoints: readonly string[] = ENDPOINTS) {
  await waitFor(`webhook deliveries of ${eventType} settled`, async () => {
    const rows = await webhookRows(leadId, eventType);
    return endpoints.every((name) =>
      rows.some(
        (row) =>
          row.channel === `webhook:${name}` &&
          (['sent', 'dead', 'skipped'].includes(row.status) || (row.status === 'failed' && row.error_kind === 'permanent')),
      ),
    );
  });
}

const endpointsList = async () => {
  const response = await fetch(`${app.url}/api/admin/webhook-endpoints`, { headers: adminHeaders() });
  expect(response.status).toBe(200);
  return (await response.json()) as { endpoints: Record<string, any>[]; signing_secrets: number };
};

describe('signed outbound webhooks', () => {
  it('when a lead is captured, then its webhook reaches every endpoint once, verifies with the standardwebhooks library, and carries {type, timestamp, data} with the lead', async () => {
    const id = await postLead('Webhook Ada', { source: 'landing-page', metadata: { utm_source: 'newsletter' }, urgency: 'high' });
    await settled(id);

    const { rows: events } = await db.pool.query(
      `SELECT id::text, created_at FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.created'`,
      [id],
    );
    const eventId = events[0].id as string;
    for (const endpoint of ENDPOINTS) {
      const requests = requestsAbout(endpoint, id);
      expect(requests, endpoint).toHaveLength(1);
      const request = requests[0]!;
      for (const secret of [SECRET, NEXT_SECRET]) {
        expect(new Webhook(secret).verify(request.rawBody, request.headers as Record<string, string>)).toEqual(request.payload);
      }
      expect(request.headers['webhook-id']).toBe(eventId);
    }
    const payload = webhookPayloadSchema.parse(requestsAbout('crm', id)[0]!.payload);
    expect(payload).toMatchObject({
      type: 'lead.created',
      timestamp: (events[0].created_at as Date).toISOString(),
      data: {
        event: { id: eventId, source: 'landing-page', quality: payload.data.lead.quality },
        lead: {
          id,
          name: 'Webhook Ada',
          email: expect.stringMatching(/^webhook-lead-\d+-\d+@example\.com$/),
          phone: '+442071838750',
          source: 'landing-page',
          urgency: 'high',
          status: 'new',
          metadata: expect.objectContaining({ utm_source: 'newsletter' }),
          assigned_to: null,
          first_response_at: null,
          sla_breached: false,
          admin_url: `https://leads.example.com/admin#/leads/${id}`,
        },
      },
    });
    expect(payload.data.lead.score).toBeGreaterThan(0);
    expect(new Date(payload.data.lead.sla_deadline).getTime()).toBeGreaterThan(Date.now());

    const rows = await webhookRows(id);
    expect(rows.map((row) => [row.channel, row.status, row.attempt])).toEqual(
      expect.arrayContaining(ENDPOINTS.map((name) => [`webhook:${name}`, 'sent', 1])),
    );
    const { rows: timeline } = await db.pool.query(
      `SELECT title FROM conversation_timeline WHERE conversation_id = $1 AND event_type = 'notification.sent'`,
      [id],
    );
    expect(timeline.map((row) => row.title)).toEqual(
      expect.arrayContaining(['Webhook crm notified (lead.created)', 'Slack notified (lead.created)']),
    );
  });

  it('when a lead changes status, then webhooks get lead.status_changed and lead.responded with the facts and the lead as it is now, and Slack gets no alert for them', async () => {
    const id = await postLead('Webhook Status');
    await settled(id);
    // The lead's own Slack alert comes first (on Slack's pace), so only what follows the status change counts.
    await waitFor('the Slack alert of the new lead', () =>
      slack.received.some((request) => JSON.stringify(request.payload).includes('Webhook Status')),
    );
    const slackBefore = slack.received.length;

    const patched = await fetch(`${app.url}/api/admin/leads/${id}`, {
      method: 'PATCH',
      headers: adminHeaders({ 'content-type': 'application/json' }),
      body: JSON.stringify({ status: 'qualified' }),
    });
    expect(patched.status).toBe(200);
    await settled(id, 'lead.status_changed');
    await settled(id, 'lead.responded');

    const [changed] = requestsAbout('crm', id, 'lead.status_changed');
    expect(webhookPayloadSchema.parse(changed!.payload).data).toMatchObject({
      event: { from: 'new', to: 'qualified' },
      lead: { id, status: 'qualified', first_response_at: expect.any(String) },
    });
    const [responded] = requestsAbout('crm', id, 'lead.responded');
    expect(webhookPayloadSchema.parse(responded!.payload).data.event).toMatchObject({ via: 'status_change', within_sla: true });
    expect(slack.received.slice(slackBefore).filter((request) => JSON.stringify(request.payload).includes('Webhook Status'))).toEqual([]);
  });

  it('when 30 leads arrive at once, then every endpoint gets 30 separate requests, never a summary', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, (_, index) => postLead(`Burst Lead ${index}`)));
    await waitFor(
      'every burst lead at every endpoint',
      () => ids.every((id) => ENDPOINTS.every((endpoint) => requestsAbout(endpoint, id).length >= 1)),
      30_000,
    );
    for (const endpoint of ENDPOINTS) {
      for (const id of ids) expect(requestsAbout(endpoint, id), `${endpoint} ${id}`).toHaveLength(1);
    }
    // Each send is recorded right after the receiver's answer, so the last rows may trail the requests a little.
    await waitFor('every burst delivery recorded as a single sent message', async () => {
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
         WHERE e.conversation_id = ANY($1::uuid[]) AND n.channel LIKE 'webhook:%' AND n.status = 'sent' AND coalesce(n.coalesced_count, 1) = 1`,
        [ids],
      );
      return rows[0].n === 90;
    });
  });

  it('when a receiver answers 429 with Retry-After: 2, then the retry comes at least 2 s later, spends no attempt, and the lead is delivered once', async () => {
    receiver.script('zap', { status: 429, retryAfter: '2' });
    const id = await postLead('Rate Limited Webhook');
    await waitFor(
      'zap delivered',
      async () => (await webhookRows(id)).some((row) => row.channel === 'webhook:zap' && row.status === 'sent'),
      20_000,
    );

    const requests = requestsAbout('zap', id);
    expect(requests.map((request) => request.status)).toEqual([429, 200]);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(2_000);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    const zapRows = (await webhookRows(id)).filter((row) => row.channel === 'webhook:zap');
    expect(zapRows.map((row) => [row.status, row.error_kind])).toEqual([
      ['failed', 'rate_limited'],
      ['sent', null],
    ]);
  });

  it('when a receiver refuses with 400, then the delivery is a dead letter with an alert on Slack, and a retry from the admin API sends it with the same webhook-id', async () => {
    receiver.script('crm', { status: 400 });
    const id = await postLead('Refused Webhook');
    await settled(id);

    const failed = await fetch(`${app.url}/api/admin/failed`, { headers: adminHeaders() }).then((response) => response.json());
    const entry = failed.deliveries.find(
      (row: { conversation_id: string; channel: string }) => row.conversation_id === id && row.channel === 'webhook:crm',
    );
    expect(entry).toMatchObject({ event_type: 'lead.created', error_kind: 'permanent', error_message: expect.stringContaining('400') });
    expect(entry.error_message).not.toContain(RECEIVER_SECRET_PATH);
    await waitFor('operator alert on Slack', () =>
      slack.received.some((request) => JSON.stringify(request.payload).includes('Webhook crm delivery failed permanently')),
    );

    const retry = await postJson(`${app.url}/api/admin/failed/${entry.id}/retry`, {}, adminHeaders());
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ channel: 'webhook:crm' });
    await waitFor('crm re-sent', async () => (await webhookRows(id)).some((row) => row.channel === 'webhook:crm' && row.status === 'sent'));
    const requests = requestsAbout('crm', id);
    expect(requests.map((request) => request.status)).toEqual([400, 200]);
    expect(requests[1]!.headers['webhook-id']).toBe(requests[0]!.headers['webhook-id']);
  });

  it('when npm run replay names a webhook channel, then it skips what was sent, and --force sends the event again with the same webhook-id', async () => {
    const id = await postLead('Replayed Webhook');
    await settled(id);
    const eventId = (await webhookRows(id))[0]!.event_id;
    const run = (args: string[]) =>
      execFileAsync(process.execPath, ['scripts/replay.ts', ...args], { env: { ...process.env, ...env, DATABASE_URL: db.url } });

    const skipped = await run(['--event', eventId, '--channel', 'webhook:crm']);
    expect(skipped.stdout).toContain('0 deliveries to send, 1 skipped as already sent');
    const forced = await run(['--event', eventId, '--channel', 'webhook:crm', '--force']);
    expect(forced.stdout).toContain('1 deliveries queued');
    await waitFor('crm round 1', () => requestsAbout('crm', id).length === 2);
    const requests = requestsAbout('crm', id);
    expect(requests.map((request) => request.headers['webhook-id'])).toEqual([eventId, eventId]);
    expect(requestsAbout('zap', id)).toHaveLength(1);

    const unknown = await run(['--channel', 'webhook:nowhere']).catch((error: { code: number; stderr: string }) => error);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('--channel webhook:nowhere is not configured') });
  });

  it('when a receiver answers 410 Gone, then nothing more is sent to it, the endpoint shows disabled, an operator alert goes to Slack, and enabling it sends what it held', async () => {
    receiver.script('gone', { status: 410 });
    const first = await postLead('Gone Webhook One');
    await settled(first);
    const second = await postLead('Gone Webhook Two');
    await settled(second);

    expect(requestsAbout('gone', first).map((request) => request.status)).toEqual([410]);
    expect(requestsAbout('gone', second)).toEqual([]);
    expect(requestsAbout('crm', second)).toHaveLength(1);
    const listed = await endpointsList();
    expect(listed.signing_secrets).toBe(2);
    const gone = listed.endpoints.find((endpoint) => endpoint.name === 'gone');
    expect(gone).toMatchObject({
      channel: 'webhook:gone',
      state: 'disabled',
      disabled_reason: '410 Gone',
      held: 2,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…$/),
      events: ['lead.created', 'lead.assigned', 'lead.responded', 'lead.status_changed', 'sla.breached'],
    });
    expect(JSON.stringify(listed)).not.toContain(RECEIVER_SECRET_PATH);
    expect(listed.endpoints.find((endpoint) => endpoint.name === 'crm')).toMatchObject({ state: 'enabled', held: 0 });
    await waitFor('operator alert about the disabled endpoint', () =>
      slack.received.some((request) => JSON.stringify(request.payload).includes('Webhook gone disabled: its receiver answered 410 Gone')),
    );
    const failed = await fetch(`${app.url}/api/admin/failed`, { headers: adminHeaders() }).then((response) => response.json());
    expect(failed.deliveries.filter((row: { channel: string }) => row.channel === 'webhook:gone')).toEqual([]);

    const enabled = await postJson(`${app.url}/api/admin/webhook-endpoints/gone/enable`, {}, adminHeaders());
    expect(enabled).toMatchObject({ status: 200, body: { name: 'gone', state: 'enabled', was_disabled: true, resent: 2 } });
    await waitFor('held deliveries sent', () => requestsAbout('gone', first).length === 2 && requestsAbout('gone', second).length === 1);
    expect(requestsAbout('gone', first).map((request) => request.status)).toEqual([410, 200]);
    const again = await postJson(`${app.url}/api/admin/webhook-endpoints/gone/enable`, {}, adminHeaders());
    expect(again.body).toMatchObject({ was_disabled: false, resent: 0 });
    expect((await endpointsList()).endpoints.find((endpoint) => endpoint.name === 'gone')).toMatchObject({ state: 'enabled', held: 0 });
    const unknown = await postJson(`${app.url}/api/admin/webhook-endpoints/nowhere/enable`, {}, adminHeaders());
    expect(unknown.status).toBe(404);
  });
});

describe('the SSRF guard at start-up', () => {
  it('when an endpoint is a loopback address and OUTBOUND_ALLOW_PRIVATE is not set, then start-up is refused with one line naming the variables, and the receiver is never called', async () => {
    const before = receiver.received.length;
    const refused = await startTestLeadline(db.url, { ...env, OUTBOUND_ALLOW_PRIVATE: 'false' }).then(
      () => new Error('expected start-up to be refused'),
      (error: unknown) => error,
    );

    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(
      /^OUTBOUND_WEBHOOKS: crm points at a loopback address \(127\.0\.0\.1\).*OUTBOUND_ALLOW_PRIVATE=true/,
    );
    expect((refused as Error).message).not.toContain(RECEIVER_SECRET_PATH);
    expect(receiver.received.length).toBe(before);
  });
});
