import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStub, type SlackStub } from '../stubs/start-slack-stub.ts';
import { startSmtpStub, type SmtpStub } from '../stubs/start-smtp-stub.ts';
import { startTelegramStub, tooManyRequests, type TelegramStub } from '../stubs/start-telegram-stub.ts';
import { childProcessEnv } from '../helpers/child-process-env.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import type { Leadline } from '../../src/main.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

let db: TestDatabase;
let slack: SlackStub;
let smtp: SmtpStub;
let telegram: TelegramStub;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('delivery');
  [slack, smtp, telegram] = await Promise.all([startSlackStub(), startSmtpStub(), startTelegramStub()]);
  app = await startTestLeadline(db.url, {
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_MIN_INTERVAL: '0',
    EMAIL_HOST: smtp.host,
    EMAIL_PORT: String(smtp.port),
    EMAIL_FROM: 'Leadline <leads@example.com>',
    LEAD_ALERT_EMAIL: 'team@example.com',
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_CHAT_ID: '424242',
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_MIN_INTERVAL: '0',
    RATE_LIMIT_PER_MINUTE: '100000',
  });
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([slack?.close(), smtp?.close(), telegram?.close()]);
  await db?.drop();
});
afterEach(async () => {
  await postJson(`${app.url}/api/admin/resume`, {}, adminHeaders());
});

let serial = 0;
async function postLead(name = `Lead ${++serial}`): Promise<string> {
  const response = await postJson(`${app.url}/api/leads`, {
    name,
    email: `lead${serial}-${Date.now()}@example.com`,
    message: `Please call me about order ${serial}`,
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

async function deliveryRows(conversationId: string) {
  const { rows } = await db.pool.query(
    `SELECT n.channel, n.status, n.attempt, n.error_kind, n.possible_duplicate FROM notification_logs n
     JOIN lead_events e ON e.id = n.event_id WHERE e.conversation_id = $1 AND e.event_type = 'lead.created' ORDER BY n.id`,
    [conversationId],
  );
  return rows as { channel: string; status: string; attempt: number; error_kind: string | null; possible_duplicate: boolean }[];
}

const slackTexts = () => slack.received.filter((r) => r.status === 200).map((r) => JSON.stringify(r.payload));
const telegramTexts = () => telegram.sent.map((r) => r.text ?? '');

describe('delivery to Slack, email and Telegram', () => {
  it('when 20 leads arrive, then each channel gets exactly 20 messages, one sent row per (event, channel), and the timelines show them', async () => {
    const names = Array.from({ length: 20 }, (_, index) => `Twenty Lead ${index}`);
    const slackBefore = slackTexts().length;
    const emailBefore = smtp.received.length;
    const telegramBefore = telegramTexts().length;
    const ids = await Promise.all(names.map((name) => postLead(name)));

    await waitFor('20 sent rows per channel', async () => {
      const { rows } = await db.pool.query(
        `SELECT channel, count(*)::int AS n FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
         WHERE e.conversation_id = ANY($1::uuid[]) AND n.status = 'sent' GROUP BY channel`,
        [ids],
      );
      return rows.length === 3 && rows.every((row) => row.n === 20);
    });
    expect(slackTexts().length - slackBefore).toBe(20);
    expect(smtp.received.length - emailBefore).toBe(20);
    expect(telegramTexts().length - telegramBefore).toBe(20);
    for (const name of names) {
      expect(slackTexts().some((text) => text.includes(name))).toBe(true);
      expect(telegramTexts().some((text) => text.includes(name))).toBe(true);
      expect(smtp.received.some((message) => message.raw.includes(name))).toBe(true);
    }
    const { rows: duplicates } = await db.pool.query(
      `SELECT e.id, n.channel FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
       WHERE e.conversation_id = ANY($1::uuid[]) AND n.status = 'sent' GROUP BY e.id, n.channel HAVING count(*) > 1`,
      [ids],
    );
    expect(duplicates).toEqual([]);
    const { rows: timeline } = await db.pool.query(
      `SELECT count(*)::int AS n FROM conversation_timeline WHERE conversation_id = ANY($1::uuid[]) AND event_type = 'notification.sent'`,
      [ids],
    );
    expect(timeline[0].n).toBe(60);
  });

  it('when Slack answers 429 with Retry-After: 2 twice, then the lead is delivered once and no retry comes earlier than 2 s after a 429', async () => {
    slack.script({ status: 429, body: 'rate_limited', retryAfterSeconds: 2 }, { status: 429, body: 'rate_limited', retryAfterSeconds: 2 });
    const from = slack.received.length;
    const id = await postLead('Rate Limited Slack');
    await waitFor(
      'slack delivery',
      async () => (await deliveryRows(id)).some((row) => row.channel === 'slack' && row.status === 'sent'),
      20_000,
    );
    const requests = slack.received.slice(from).filter((request) => JSON.stringify(request.payload).includes('Rate Limited Slack'));
    expect(requests.map((request) => request.status)).toEqual([429, 429, 200]);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(2_000);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(2_000);
    const slackRows = (await deliveryRows(id)).filter((row) => row.channel === 'slack');
    expect(slackRows.filter((row) => row.status === 'sent')).toHaveLength(1);
    expect(slackRows.filter((row) => row.error_kind === 'rate_limited')).toHaveLength(2);
  });

  it('when Telegram answers 429 with retry_after 2 twice, then the lead is delivered once and no retry comes earlier than 2 s after', async () => {
    telegram.script(tooManyRequests(2), tooManyRequests(2));
    const from = telegram.received.length;
    const id = await postLead('Rate Limited Telegram');
    await waitFor(
      'telegram delivery',
      async () => (await deliveryRows(id)).some((row) => row.channel === 'telegram' && row.status === 'sent'),
      20_000,
    );
    const calls = telegram.received
      .slice(from)
      .filter(
        (request) =>
          request.method === 'sendMessage' && (request.text ?? String(request.params['text'] ?? '')).includes('Rate Limited Telegram'),
      );
    expect(calls.map((call) => call.ok)).toEqual([false, false, true]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(2_000);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(2_000);
  });

  it('when Slack answers 410 channel_is_archived, then one attempt, the delivery is dead, listed by /api/admin/failed, an operator alert goes to the other channels, and a retry re-sends once fixed', async () => {
    slack.script({ status: 410, body: 'channel_is_archived' });
    const id = await postLead('Archived Channel Lead');
    await waitFor('dead slack delivery', async () =>
      (await deliveryRows(id)).some((row) => row.channel === 'slack' && row.status === 'dead'),
    );
    const slackRows = (await deliveryRows(id)).filter((row) => row.channel === 'slack');
    expect(slackRows).toEqual([expect.objectContaining({ status: 'dead', attempt: 1, error_kind: 'permanent' })]);

    const failed = await fetch(`${app.url}/api/admin/failed`, { headers: adminHeaders() }).then((r) => r.json());
    const entry = failed.deliveries.find(
      (row: { conversation_id: string; channel: string }) => row.conversation_id === id && row.channel === 'slack',
    );
    expect(entry).toMatchObject({ error_message: expect.stringContaining('channel_is_archived') });

    await waitFor('operator alert by email', () =>
      smtp.received.some((message) => /Slack delivery failed permanently/i.test(message.subject ?? '')),
    );
    await waitFor('operator alert on telegram', () => telegramTexts().some((text) => /Slack delivery failed permanently/i.test(text)));

    const retry = await postJson(`${app.url}/api/admin/failed/${entry.id}/retry`, {}, adminHeaders());
    expect(retry.status).toBe(202);
    await waitFor('slack re-sent', async () => (await deliveryRows(id)).some((row) => row.channel === 'slack' && row.status === 'sent'));
    expect((await deliveryRows(id)).filter((row) => row.channel === 'slack' && row.status === 'sent')).toHaveLength(1);
    const again = await postJson(`${app.url}/api/admin/failed/${entry.id}/retry`, {}, adminHeaders());
    expect(again.status).toBe(404);
  });

  it('when SMTP answers 550, then one attempt and the email delivery is dead; when it answers 451 then 250, then one delivery', async () => {
    smtp.script({ responseCode: 550, message: '5.1.1 Mailbox unavailable' });
    const dead = await postLead('Bounced Email Lead');
    await waitFor('dead email', async () => (await deliveryRows(dead)).some((row) => row.channel === 'email' && row.status === 'dead'));
    expect((await deliveryRows(dead)).filter((row) => row.channel === 'email')).toEqual([
      expect.objectContaining({ status: 'dead', attempt: 1 }),
    ]);

    smtp.script({ responseCode: 451, message: '4.3.0 Try again later' });
    const transient = await postLead('Greylisted Email Lead');
    await waitFor(
      'email sent after 451',
      async () => (await deliveryRows(transient)).some((row) => row.channel === 'email' && row.status === 'sent'),
      30_000,
    );
    const emailRows = (await deliveryRows(transient)).filter((row) => row.channel === 'email');
    expect(emailRows.map((row) => [row.status, row.attempt])).toEqual([
      ['failed', 1],
      ['sent', 2],
    ]);
    expect(smtp.received.filter((message) => message.raw.includes('Greylisted Email Lead') && message.responseCode === 250)).toHaveLength(
      1,
    );
  });

  it('when deliveries are paused, then nothing is sent while leads are still captured; after resume the held leads are delivered', async () => {
    expect((await postJson(`${app.url}/api/admin/pause`, {}, adminHeaders())).body).toEqual({ paused: true });
    const slackBefore = slack.received.length;
    const ids = [await postLead('Held Lead A'), await postLead('Held Lead B')];
    // The relay still turns the events into queued jobs; the paused workers just do not take them.
    await waitFor('events relayed', async () => {
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM lead_events WHERE conversation_id = ANY($1::uuid[]) AND processed_at IS NOT NULL`,
        [ids],
      );
      return rows[0].n === 2;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // an absence can only be observed over time
    expect(slack.received.length).toBe(slackBefore);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM notification_logs n JOIN lead_events e ON e.id = n.event_id WHERE e.conversation_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows[0].n).toBe(0);

    expect((await postJson(`${app.url}/api/admin/resume`, {}, adminHeaders())).body).toEqual({ paused: false });
    await waitFor(
      'held leads delivered',
      () => slackTexts().some((t) => t.includes('Held Lead A')) && slackTexts().some((t) => t.includes('Held Lead B')),
    );
  });

  it('when npm run replay is asked for a delivered event, then it skips sent pairs by default, and --force sends them again as a new round', async () => {
    const id = await postLead('Replayed Lead');
    await waitFor('delivered everywhere', async () => (await deliveryRows(id)).filter((row) => row.status === 'sent').length === 3);
    const { rows } = await db.pool.query(`SELECT id::text FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.created'`, [
      id,
    ]);
    const eventId = rows[0].id as string;
    const env = childProcessEnv({
      ...process.env,
      DATABASE_URL: db.url,
      SLACK_WEBHOOK_URL: slack.url,
      EMAIL_HOST: smtp.host,
      EMAIL_PORT: String(smtp.port),
      EMAIL_FROM: 'leads@example.com',
      LEAD_ALERT_EMAIL: 'team@example.com',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_CHAT_ID: '424242',
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    const run = (args: string[]) => execFileAsync(process.execPath, ['scripts/replay.ts', ...args], { env });

    const skipped = await run(['--event', eventId]);
    expect(skipped.stdout).toContain('0 deliveries to send, 3 skipped as already sent');
    const dry = await run(['--event', eventId, '--force', '--channel', 'slack', '--dry-run']);
    expect(dry.stdout).toContain(`would send event ${eventId} to slack (round 1)`);
    const before = slackTexts().filter((text) => text.includes('Replayed Lead')).length;
    const forced = await run(['--event', eventId, '--force', '--channel', 'slack']);
    expect(forced.stdout).toContain('1 deliveries queued');
    await waitFor('slack round 1 sent', async () => {
      const result = await db.pool.query(
        `SELECT count(*)::int AS n FROM notification_logs WHERE event_id = $1 AND channel = 'slack' AND status = 'sent' AND round = 1`,
        [eventId],
      );
      return result.rows[0].n === 1;
    });
    expect(slackTexts().filter((text) => text.includes('Replayed Lead')).length).toBe(before + 1);
  });

  it('when the admin key is missing, then the delivery admin routes answer 401 problem+json', async () => {
    const response = await fetch(`${app.url}/api/admin/failed`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});
