import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { signMetaDelivery } from '../stubs/sign-meta-delivery.ts';
import { spawnLeadline, type SpawnedLeadline } from '../helpers/spawn-leadline.ts';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { randomGraphId, startGraphStub, type GraphStub } from '../stubs/start-graph-stub.ts';
import { startSlackStub, type SlackStub } from '../stubs/start-slack-stub.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stubs/start-webhook-receiver.ts';
import { startSmtpStub, type SmtpStub } from '../stubs/start-smtp-stub.ts';
import { badGateway, startTelegramStub, tooManyRequests, type TelegramStub } from '../stubs/start-telegram-stub.ts';
import { sendRequest, type SentResponse } from './send-request.ts';

/*
 * The real process (`node src/main.ts`) runs with canary values in every secret and captures leads whose
 * names, emails and phones are canaries too. It is then driven through the paths where secrets and personal
 * data like to escape: provider errors (4xx, 5xx, 429, a dead SMTP server, a Graph error that echoes the
 * token), refused admin requests (the key in the URL), bad webhook signatures, validation errors. Afterwards
 * every log line must be one JSON object, and no canary may appear in any log line or any HTTP answer.
 */

const tag = randomBytes(4).toString('hex');
const hex = () => randomBytes(10).toString('hex');
const WEBHOOK_SECRET_BYTES = `canaryWebhookSecret${hex()}`;
const OUTBOUND_SECRET_BYTES = `canaryOutboundSecret${hex()}`;
const EMAIL_USER = `canary-mailer-${tag}`;

/** Secrets: none may appear in a log line or in any HTTP answer, admin answers included. */
const SECRETS: Record<string, string> = {
  ADMIN_API_KEY: `canaryAdminKey${hex()}`,
  'SLACK_WEBHOOK_URL path secret': `canarySlackSecret${hex()}`,
  TELEGRAM_BOT_TOKEN: `${randomInt(100_000_000, 999_999_999)}:canaryTelegramToken${hex()}`,
  META_ACCESS_TOKEN: `EAAcanaryMetaToken${hex()}`,
  META_APP_SECRET: `canaryMetaAppSecret${hex()}`,
  META_VERIFY_TOKEN: `canaryMetaVerify${hex()}`,
  EMAIL_PASS: `canaryEmailPass${hex()}`,
  'WEBHOOK_SECRETS secret': WEBHOOK_SECRET_BYTES,
  'OUTBOUND_WEBHOOKS path secret': `canaryHookPath${hex()}`,
  'OUTBOUND_WEBHOOK_SECRET secret': OUTBOUND_SECRET_BYTES,
};
const OUTBOUND_SECRET = `whsec_${Buffer.from(OUTBOUND_SECRET_BYTES).toString('base64')}`;
const WEBHOOK_SECRET = `whsec_${Buffer.from(WEBHOOK_SECRET_BYTES).toString('base64')}`;

interface Person {
  route: string;
  name: string;
  surname: string;
  email: string;
  phone: string;
  national: string;
  message: string;
}

/** Distinct canary people, one per way a lead arrives. */
const PEOPLE: Person[] = [
  '/api/leads',
  '/api/submit-contact',
  '/api/property-inquiry',
  '/api/chatbot/leads',
  'form',
  'webhook',
  'meta',
  'late',
].map((route, index) => {
  const surname = `Canaryfield${tag}${String.fromCharCode(97 + index)}`;
  const national = `41555501${String(10 + index)}`;
  return {
    route,
    name: `Quentin ${surname}`,
    surname,
    email: `quentin.${surname.toLowerCase()}@example.test`,
    phone: `+1${national}`,
    national,
    message: `canary-message-${tag}-${index} please call`,
  };
});

let db: TestDatabase;
let home: string;
let slack: SlackStub;
let telegram: TelegramStub;
let smtp: SmtpStub;
let graph: GraphStub;
let receiver: WebhookReceiver;
let leadline: SpawnedLeadline;
let providersClosed = false;

/** Every answer the tests received; `authorized` ones (admin reads with the key) may hold personal data, never secrets. */
const answers: { label: string; authorized: boolean; response: SentResponse }[] = [];

async function call(label: string, options: Parameters<typeof sendRequest>[1], authorized = false): Promise<SentResponse> {
  const response = await sendRequest(leadline.url!, options);
  answers.push({ label: `${options.method ?? 'GET'} ${options.path} (${label})`, authorized, response });
  return response;
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const admin = { authorization: `Bearer ${SECRETS['ADMIN_API_KEY']}` };

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'leadline-canaries-'));
  db = await createTestDatabase('security_canaries');
  [slack, telegram, smtp, graph, receiver] = await Promise.all([
    startSlackStub(),
    startTelegramStub({ token: SECRETS['TELEGRAM_BOT_TOKEN']! }),
    startSmtpStub({ credentials: { user: EMAIL_USER, pass: SECRETS['EMAIL_PASS']! } }),
    startGraphStub({ token: SECRETS['META_ACCESS_TOKEN']! }),
    startWebhookReceiver({ secretPath: SECRETS['OUTBOUND_WEBHOOKS path secret']! }),
  ]);
  const slackUrl = `${new URL(slack.url).origin}/services/TCANARY${tag}/BCANARY${tag}/${SECRETS['SLACK_WEBHOOK_URL path secret']}`;
  leadline = await spawnLeadline({
    DATABASE_URL: db.url,
    LEADLINE_HOME: home,
    LOG_LEVEL: 'debug',
    RATE_LIMIT_PER_MINUTE: '100000',
    ADMIN_API_KEY: SECRETS['ADMIN_API_KEY']!,
    SLACK_WEBHOOK_URL: slackUrl,
    SLACK_MIN_INTERVAL: '0',
    TELEGRAM_BOT_TOKEN: SECRETS['TELEGRAM_BOT_TOKEN']!,
    TELEGRAM_CHAT_ID: '424242',
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_MIN_INTERVAL: '0',
    EMAIL_HOST: smtp.host,
    EMAIL_PORT: String(smtp.port),
    EMAIL_USER,
    EMAIL_PASS: SECRETS['EMAIL_PASS']!,
    EMAIL_FROM: 'leadline@example.test',
    LEAD_ALERT_EMAIL: 'team@example.test',
    META_APP_SECRET: SECRETS['META_APP_SECRET']!,
    META_VERIFY_TOKEN: SECRETS['META_VERIFY_TOKEN']!,
    META_ACCESS_TOKEN: SECRETS['META_ACCESS_TOKEN']!,
    META_GRAPH_URL: graph.url,
    WEBHOOK_SECRETS: `zap=${WEBHOOK_SECRET}`,
    OUTBOUND_WEBHOOKS: `crm=${receiver.urlFor('crm')}`,
    OUTBOUND_WEBHOOK_SECRET: OUTBOUND_SECRET,
    OUTBOUND_ALLOW_PRIVATE: 'true',
  });
}, 60_000);

afterAll(async () => {
  if (leadline && leadline.process.exitCode === null && leadline.process.signalCode === null) {
    leadline.kill('SIGKILL');
    await leadline.exited;
  }
  await Promise.all([...(providersClosed ? [] : [slack?.close(), telegram?.close(), smtp?.close()]), graph?.close(), receiver?.close()]);
  await db?.drop();
  if (home) await rm(home, { recursive: true, force: true });
});

async function notificationStatuses(channel: string): Promise<Set<string>> {
  const { rows } = await db.pool.query(`SELECT DISTINCT status FROM notification_logs WHERE channel = $1`, [channel]);
  return new Set(rows.map((row: { status: string }) => row.status));
}

/** Where a canary may hide: the value itself, and the encodings it travels in (URL, base64, SMTP AUTH). */
function variantsOf(value: string): string[] {
  const variants = new Set([value, encodeURIComponent(value), Buffer.from(value).toString('base64').replace(/=+$/, '')]);
  return [...variants].filter((variant) => variant.length >= 8);
}

function canaries(): { label: string; needle: string; secret: boolean }[] {
  const list: { label: string; needle: string; secret: boolean }[] = [];
  for (const [label, value] of Object.entries(SECRETS)) for (const needle of variantsOf(value)) list.push({ label, needle, secret: true });
  list.push({ label: 'TELEGRAM_BOT_TOKEN (secret part)', needle: SECRETS['TELEGRAM_BOT_TOKEN']!.split(':')[1]!, secret: true });
  list.push({ label: 'WEBHOOK_SECRETS (whsec_ form)', needle: WEBHOOK_SECRET.slice('whsec_'.length).replace(/=+$/, ''), secret: true });
  list.push({
    label: 'OUTBOUND_WEBHOOK_SECRET (whsec_ form)',
    needle: OUTBOUND_SECRET.slice('whsec_'.length).replace(/=+$/, ''),
    secret: true,
  });
  list.push({
    label: 'EMAIL_PASS (SMTP AUTH PLAIN)',
    needle: Buffer.from(`\0${EMAIL_USER}\0${SECRETS['EMAIL_PASS']}`).toString('base64').slice(0, 40),
    secret: true,
  });
  const password = decodeURIComponent(new URL(db.url).password);
  if (password.length >= 12) list.push({ label: 'DATABASE_URL password', needle: password, secret: true });
  for (const p of PEOPLE) {
    list.push({ label: `name of the ${p.route} lead`, needle: p.surname, secret: false });
    list.push({ label: `email of the ${p.route} lead`, needle: p.email, secret: false });
    list.push({ label: `email of the ${p.route} lead (URL-encoded)`, needle: encodeURIComponent(p.email), secret: false });
    list.push({ label: `phone of the ${p.route} lead`, needle: p.national, secret: false });
    list.push({ label: `message of the ${p.route} lead`, needle: p.message, secret: false });
  }
  return list;
}

function excerpt(text: string, needle: string): string {
  const at = text.indexOf(needle);
  return JSON.stringify(text.slice(Math.max(0, at - 100), at + needle.length + 60));
}

const BANNER = [/^$/, /^ {2}Leadline {3}http:\/\/\S+$/, /^ {2}Admin {6}http:\/\/\S+\/admin$/];

describe('canaries through the real process', () => {
  it('when the process is driven through captures, provider failures, refused requests and bad signatures, then every log line is one JSON object and no secret or captured personal data appears in any log line or answer', async () => {
    onTestFailed(() => {
      const graphLog = graph.requests.map((request) => `${request.method} ${request.path} ${request.status}`).join(', ');
      console.error(
        `leadline output (last 8 KB):\n${leadline.output().slice(-8_000)}\ngraph requests: ${graphLog}\nslack: ${slack.received.map((r) => r.status).join(',')}`,
      );
    });

    // Providers fail first: Slack 500 (transient), 403 invalid_token (permanent), 429; Telegram 401, 502 (an HTML page), 429;
    // SMTP 451 (transient) then 550 (permanent).
    slack.script(
      { status: 500, body: 'internal_error' },
      { status: 403, body: 'invalid_token' },
      { status: 429, body: 'rate_limited', retryAfterSeconds: 1 },
    );
    telegram.script({ errorCode: 401, description: 'Unauthorized' }, badGateway(), tooManyRequests(1), {
      method: 'getMe',
      errorCode: 401,
      description: 'Unauthorized',
    });
    smtp.script(
      { responseCode: 451, message: '4.3.0 Try again later' },
      { responseCode: 550, message: `5.1.1 <team@example.test>: Recipient address rejected` },
    );
    // The webhook receiver fails once (transient), refuses once (permanent), then is gone (410: the endpoint is disabled).
    receiver.script('crm', { status: 500 }, { status: 422 }, { status: 410 });

    // Captures on every route, with canary people.
    const [direct, contact, inquiry, chatbot, form, webhook, meta, late] = PEOPLE as [
      Person,
      Person,
      Person,
      Person,
      Person,
      Person,
      Person,
      Person,
    ];
    const contactOf = (p: Person) => ({ name: p.name, email: p.email, phone: p.phone });
    const captured = [
      await call('capture', {
        path: '/api/leads',
        ...json({ ...contactOf(direct), message: direct.message, source: 'canary', metadata: { utm_source: 'canary' } }),
      }),
      await call('capture', {
        path: '/api/submit-contact',
        ...json({ ...contactOf(contact), message: contact.message, subject: 'Canary subject' }),
      }),
      await call('capture', {
        path: '/api/property-inquiry',
        ...json({ ...contactOf(inquiry), message: inquiry.message, property_id: 'canary-1' }),
      }),
      await call('capture', {
        path: '/api/chatbot/leads',
        ...json({ ...contactOf(chatbot), messages: [{ role: 'user', content: chatbot.message }] }),
      }),
      await call('capture', {
        path: '/api/submit-contact',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...contactOf(form), message: form.message }).toString(),
      }),
    ];
    for (const response of captured) expect(response.status, response.text).toBe(201);

    // Refused captures that carry canary data: an invalid phone, an unknown field, a reused key, a wrong type.
    await call('invalid phone', {
      path: '/api/leads',
      ...json({ name: direct.name, email: direct.email, phone: `not-a-phone ${direct.national}x` }),
    });
    await call('unknown field', {
      path: '/api/leads',
      ...json({ ...contactOf(direct), nickname: direct.name, status: direct.email }),
    });
    await call('invalid email', {
      path: '/api/submit-contact',
      ...json({ name: contact.name, email: `${contact.email}@@`, message: contact.message }),
    });
    await call('wrong type', { path: '/api/chatbot/leads', ...json({ ...contactOf(chatbot), messages: chatbot.message }) });
    const key = { 'idempotency-key': `canary-key-${tag}` };
    await call('idempotent', { path: '/api/leads', ...json({ ...contactOf(direct), message: 'first' }, key) });
    await call('key reused', { path: '/api/leads', ...json({ ...contactOf(direct), message: direct.message }, key) });
    await call('malformed JSON', {
      path: '/api/leads',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"name":"${direct.name}","email":"${direct.email}"`,
    });
    await call('wrong content type', {
      path: '/api/leads',
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `${direct.name} ${direct.email}`,
    });

    // A signed sender, a signed but invalid lead, and bad signatures.
    const signed = (body: string, id = `msg_${randomBytes(6).toString('hex')}`) => {
      const now = new Date();
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(WEBHOOK_SECRET).sign(id, now, body),
      };
    };
    const webhookBody = JSON.stringify({ ...contactOf(webhook), message: webhook.message });
    expect(
      (
        await call('signed webhook', {
          path: '/api/webhooks/zap',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signed(webhookBody) },
          body: webhookBody,
        })
      ).status,
    ).toBe(201);
    const invalidBody = JSON.stringify({ name: webhook.name, email: `${webhook.email}@@`, phone: webhook.phone });
    await call('signed invalid webhook', {
      path: '/api/webhooks/zap',
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed(invalidBody) },
      body: invalidBody,
    });
    await call('bad webhook signature', {
      path: '/api/webhooks/zap',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signed(webhookBody),
        'webhook-signature': `v1,${Buffer.from(SECRETS['WEBHOOK_SECRETS secret']!).toString('base64')}`,
      },
      body: webhookBody,
    });
    await call('stale webhook', {
      path: '/api/webhooks/zap',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_stale',
        'webhook-timestamp': '1000000000',
        'webhook-signature': `v1,${new Webhook(WEBHOOK_SECRET).sign('msg_stale', new Date(1e12), webhookBody).slice(3)}`,
      },
      body: webhookBody,
    });
    await call('unknown sender', {
      path: `/api/webhooks/${SECRETS['META_APP_SECRET']!.toLowerCase()}`,
      ...json({ ...contactOf(webhook) }),
    });

    // Meta: one lead fetched after a transient Graph error, one whose fetch is refused with a 190 that echoes the token.
    const formId = randomGraphId(15);
    const metaLead = graph.addLead({
      form_id: formId,
      field_data: [
        { name: 'full_name', values: [meta.name] },
        { name: 'email', values: [meta.email] },
        { name: 'phone_number', values: [meta.phone] },
        { name: 'what_do_you_need', values: [meta.message] },
      ],
    });
    const refusedLeadId = randomGraphId();
    graph.failNext(
      { code: 2, status: 500, isTransient: true, message: 'An unexpected error has occurred. Please retry your request later.' },
      1,
      (request) => request.path === metaLead.id,
    );
    graph.failNext(
      { code: 190, status: 400, type: 'OAuthException', message: `Malformed access token ${SECRETS['META_ACCESS_TOKEN']}` },
      1,
      (request) => request.path === refusedLeadId,
    );
    const metaDelivery = (leadgenId: string) =>
      JSON.stringify({
        object: 'page',
        entry: [
          {
            id: '1',
            time: Math.floor(Date.now() / 1000),
            changes: [{ field: 'leadgen', value: { leadgen_id: leadgenId, form_id: formId, page_id: '1' } }],
          },
        ],
      });
    const deliverToMeta = async (leadgenId: string) => {
      const body = metaDelivery(leadgenId);
      const headers = { 'content-type': 'application/json', 'x-hub-signature-256': signMetaDelivery(body, SECRETS['META_APP_SECRET']!) };
      expect((await call('signed Meta delivery', { path: '/api/webhooks/meta', method: 'POST', headers, body })).status).toBe(200);
    };
    // One after the other: the token refusal pauses Meta ingestion, which would park the first lead's retry.
    await deliverToMeta(metaLead.id);
    await waitFor(
      'the Meta lead fetched after the transient Graph error',
      async () => {
        const { rows } = await db.pool.query(`SELECT 1 FROM conversations WHERE source = 'meta' AND email = $1`, [meta.email]);
        return rows.length > 0;
      },
      60_000,
    );
    await deliverToMeta(refusedLeadId);
    const unsigned = JSON.stringify({
      object: 'page',
      entry: [{ changes: [{ field: 'leadgen', value: { leadgen_id: '1', full_name: meta.name, email: meta.email } }] }],
    });
    await call('unsigned Meta delivery', { path: '/api/webhooks/meta', ...json(JSON.parse(unsigned)) });
    await call('Meta delivery signed with the verify token', {
      path: '/api/webhooks/meta',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaDelivery(unsigned, SECRETS['META_VERIFY_TOKEN']!) },
      body: unsigned,
    });
    await call('Meta check, wrong token', {
      path: `/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=${SECRETS['META_APP_SECRET']}&hub.challenge=42`,
    });
    await call('Meta check, right token', {
      path: `/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=${SECRETS['META_VERIFY_TOKEN']}&hub.challenge=42`,
    });

    // Refused admin requests, some carrying secrets or personal data in the URL or a header.
    const adminKey = SECRETS['ADMIN_API_KEY']!;
    await call('no key', { path: `/api/admin/leads?q=${encodeURIComponent(direct.email)}` });
    await call('wrong key', { path: '/api/admin/leads', headers: { authorization: `Bearer ${SECRETS['META_APP_SECRET']}` } });
    await call('key in the URL', { path: `/api/admin/leads?key=${adminKey}` });
    await call('key in the URL and header', { path: `/api/admin/stats?key=${adminKey}`, headers: admin });
    await call('key as Basic', {
      path: '/api/admin/stats',
      headers: { authorization: `Basic ${Buffer.from(`admin:${adminKey}`).toString('base64')}` },
    });
    await call('no key, write', {
      path: `/api/admin/leads/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: direct.email }),
    });
    await call('bad id', { path: `/api/admin/leads/${encodeURIComponent(direct.email)}`, headers: admin }, true);
    await call('bad status', { path: `/api/admin/leads?status=${encodeURIComponent(direct.email)}`, headers: admin }, true);

    // Wait for each provider to have failed and recovered, and for both Meta leads to be dealt with.
    await waitFor(
      'Slack to refuse, rate-limit and then accept',
      async () => {
        const statuses = await notificationStatuses('slack');
        return slack.received.length >= 4 && statuses.has('sent') && (statuses.has('dead') || statuses.has('failed'));
      },
      60_000,
    );
    await waitFor(
      'Telegram to refuse and then accept',
      async () => {
        const statuses = await notificationStatuses('telegram');
        return statuses.has('sent') && (statuses.has('dead') || statuses.has('failed'));
      },
      60_000,
    );
    await waitFor(
      'email to be refused and then sent',
      async () => {
        const statuses = await notificationStatuses('email');
        return statuses.has('sent') && (statuses.has('dead') || statuses.has('failed'));
      },
      60_000,
    );
    await waitFor('the Graph refusal of the token', () => graph.requests.some((request) => request.errorCode === 190), 60_000);
    await waitFor(
      'the webhook endpoint to be disabled by its 410',
      async () => (await db.pool.query(`SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NOT NULL`)).rows.length === 1,
      60_000,
    );

    // Health while the providers still answer (Telegram's getMe is scripted to fail), then again once they are dead.
    for (const check of ['/ready', '/telegram', '/email', '/meta'])
      await call('health with key, providers up', { path: `/health${check}`, headers: admin });

    // Dead providers: the next lead's alerts cannot even connect (network errors carry URLs, and URLs carry tokens).
    const failures = async () => {
      const { rows } = await db.pool.query(
        `SELECT channel, count(*)::int AS n FROM notification_logs WHERE status IN ('failed', 'dead') GROUP BY channel`,
      );
      return new Map(rows.map((row: { channel: string; n: number }) => [row.channel, row.n]));
    };
    await Promise.all([smtp.close(), slack.close(), telegram.close()]);
    providersClosed = true;
    const before = await failures();
    expect(
      (await call('capture after the providers died', { path: '/api/leads', ...json({ ...contactOf(late), message: late.message }) }))
        .status,
    ).toBe(201);
    await waitFor(
      'Slack, email and Telegram deliveries to fail against the dead providers',
      async () => {
        const after = await failures();
        return ['slack', 'email', 'telegram'].every((channel) => (after.get(channel) ?? 0) > (before.get(channel) ?? 0));
      },
      60_000,
    );

    // Health and metrics, without and with the key (the key shows error texts).
    for (const check of ['', '/ready', '/db', '/queue', '/spool', '/slack', '/email', '/telegram', '/meta', '/webhook:crm']) {
      await call('health', { path: `/health${check}` });
      await call('health with key', { path: `/health${check}`, headers: admin });
    }
    await call('metrics', { path: '/metrics' });
    // Admin reads with the key: personal data is their job, secrets never.
    for (const target of [
      '/api/admin/failed',
      '/api/admin/stats',
      '/api/admin/deliveries',
      '/api/admin/leads',
      '/api/admin/sla',
      '/api/admin/webhook-endpoints',
    ])
      await call('admin read', { path: target, headers: admin }, true);

    leadline.kill('SIGTERM');
    expect(await leadline.exited).toBe(0);

    // 1. Every line is one JSON object (or one of the banner's human lines).
    const notJson: string[] = [];
    const lines: { stream: string; number: number; text: string; parsed: Record<string, unknown> | undefined }[] = [];
    for (const [stream, text] of [
      ['stdout', leadline.stdout()],
      ['stderr', leadline.stderr()],
    ] as const) {
      const split = text.split('\n');
      if (split.at(-1) === '') split.pop();
      split.forEach((line, index) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          parsed = undefined;
        }
        const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
        if (!isObject && !(stream === 'stdout' && BANNER.some((banner) => banner.test(line))))
          notJson.push(`${stream} line ${index + 1}: ${JSON.stringify(line.slice(0, 200))}`);
        lines.push({ stream, number: index + 1, text: line, parsed: isObject ? (parsed as Record<string, unknown>) : undefined });
      });
    }

    // 2. No canary anywhere.
    const leaks: string[] = [];
    for (const canary of canaries()) {
      for (const line of lines) {
        if (!line.text.includes(canary.needle)) continue;
        const where = line.parsed ? `level ${String(line.parsed['level'])} "${String(line.parsed['msg'])}"` : 'not JSON';
        leaks.push(`log ${line.stream} line ${line.number} (${where}) contains ${canary.label}: ${excerpt(line.text, canary.needle)}`);
      }
      for (const { label, authorized, response } of answers) {
        if (authorized && !canary.secret) continue;
        const headers = Object.entries(response.headers)
          .map(([name, value]) => `${name}: ${value}`)
          .join('\n');
        if (response.text.includes(canary.needle))
          leaks.push(`answer to ${label} (${response.status}) body contains ${canary.label}: ${excerpt(response.text, canary.needle)}`);
        if (headers.includes(canary.needle))
          leaks.push(`answer to ${label} (${response.status}) headers contain ${canary.label}: ${excerpt(headers, canary.needle)}`);
      }
    }
    const messages = new Map<string, number>();
    for (const line of lines)
      if (line.parsed) messages.set(String(line.parsed['msg']), (messages.get(String(line.parsed['msg'])) ?? 0) + 1);
    console.info(
      `canaries: ${lines.length} log lines, ${answers.length} answers checked against ${canaries().length} canary strings; ${notJson.length} non-JSON lines, ${leaks.length} leaks${leaks.length ? `:\n  ${leaks.join('\n  ')}` : ''}\nlogged: ${[...messages].map(([msg, count]) => `${count}× ${msg}`).join(' | ')}` +
        `\nproviders answered: Slack ${slack.received.map((r) => r.status).join(',')}; Telegram ${telegram.received.map((r) => (r.ok ? `${r.method} ok` : `${r.method} ${r.description}`)).join(', ')}; SMTP ${smtp.received.map((r) => r.responseCode).join(',')}; Graph ${graph.requests.map((r) => r.status).join(',')}`,
    );
    expect.soft(notJson, 'log lines that are not one JSON object').toEqual([]);
    expect(leaks, 'canaries found in logs or answers').toEqual([]);
  }, 240_000);
});

describe('a bad configuration', () => {
  it.each([
    ['ADMIN_API_KEY', { ADMIN_API_KEY: `canaryShort${randomInt(1000, 9999)}` }],
    ['SLACK_WEBHOOK_URL', { SLACK_WEBHOOK_URL: `https://[canary${hex()}/services/T/B/x` }],
    ['WEBHOOK_SECRETS', { WEBHOOK_SECRETS: `zapier whsec_canary${hex()}` }],
    ['DATABASE_URL', { DATABASE_URL: `postgres://leadline:canaryDbPass${hex()}@127.0.0.1:1/leadline` }],
    ['OUTBOUND_WEBHOOK_SECRET', { OUTBOUND_WEBHOOK_SECRET: `whsec_canary${hex()}`, OUTBOUND_WEBHOOKS: 'crm=https://crm.example.com/in' }],
    // A loopback receiver without OUTBOUND_ALLOW_PRIVATE: refused at start-up, and the URL's secret path is not repeated.
    ['OUTBOUND_WEBHOOKS', { OUTBOUND_WEBHOOKS: `crm=http://127.0.0.1:9/hooks/canary${hex()}` }],
  ] as const)('when %s is wrong, then start-up stops with one line naming it, without the value', async (variable, env) => {
    const value = Object.values(env)[0]!;
    const secret = /canary\w+/i.exec(value)![0];
    // The start must fail: spawnLeadline rejects with the output when the process exits before it is ready.
    const started = spawnLeadline(
      { ...env, ...(variable === 'DATABASE_URL' ? {} : { DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused' }) },
      30_000,
    );
    const failure = await started.then(
      async (child) => {
        child.kill('SIGKILL');
        await child.exited;
        return undefined;
      },
      (error: unknown) => error as Error,
    );
    expect(failure, `leadline started although ${variable} is wrong`).toBeInstanceOf(Error);
    const exited = /^leadline exited with (\S+) before it was ready:\n/.exec(failure!.message);
    expect(exited?.[1], failure!.message).toBe('1');
    const output = failure!.message.slice(exited![0].length);
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(output).not.toContain(secret);
    if (variable === 'DATABASE_URL') {
      // An unreachable database is not a bad value: logs may come first, and the last line says why it stopped.
      expect(lines.at(-1), output).toMatch(/^leadline: failed to start: /);
      return;
    }
    expect(lines, output).toHaveLength(1);
    expect(lines[0]).toContain(variable);
  });
});
