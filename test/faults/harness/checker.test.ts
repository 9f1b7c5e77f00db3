import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadSummary, Notice } from '../../../src/channels/channel.ts';
import { formatEmailMessage } from '../../../src/channels/email/format-email-message.ts';
import { formatSlackMessage } from '../../../src/channels/slack/format-slack-message.ts';
import { formatTelegramMessage } from '../../../src/channels/telegram/format-telegram-message.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { startSlackStub, type SlackStub } from '../../stubs/start-slack-stub.ts';
import { startSmtpStub, type SmtpStub } from '../../stubs/start-smtp-stub.ts';
import { startTelegramStub, type TelegramStub } from '../../stubs/start-telegram-stub.ts';
import { checkRun, collectReceipts, describeReport, summarize, type Receipt } from './checker.ts';
import { Ledger } from './ledger.ts';
import { newRunTag } from './load.ts';
import { startFaultPostgres, type FaultPostgres } from './postgres-control.ts';

let control: FaultPostgres;
let slack: SlackStub;
let smtp: SmtpStub;
let telegram: TelegramStub;

beforeAll(async () => {
  control = await startFaultPostgres();
  await migrate(control.pool);
  [slack, smtp, telegram] = await Promise.all([startSlackStub(), startSmtpStub(), startTelegramStub()]);
});
afterAll(async () => {
  await Promise.all([slack?.close(), smtp?.close(), telegram?.close()]);
  await control?.destroy();
});

/** Stores a lead and its lead.created event the way capture does; returns the event id. */
async function storeLead(id: string, name: string, idempotencyKey: string): Promise<string> {
  await control.query(
    `INSERT INTO conversations (id, source, name, email, quality, idempotency_key, sla_response_deadline, sla_warning_at)
     VALUES ($1, 'api', $2, $3, 'warm', $4, now() + interval '1 hour', now() + interval '30 minutes')`,
    [id, name, `${name}@example.com`, idempotencyKey],
  );
  const { rows } = await control.query<{ id: string }>(
    `INSERT INTO lead_events (event_type, conversation_id) VALUES ('lead.created', $1) RETURNING id::text`,
    [id],
  );
  return rows[0]!.id;
}

/** Attempts of one (event, channel), oldest first; the last is `sent`, the earlier ones `failed`. */
async function storeAttempts(eventId: string, leadId: string, channel: string, flags: boolean[]): Promise<void> {
  for (const [index, flagged] of flags.entries()) {
    await control.query(
      `INSERT INTO notification_logs (event_id, conversation_id, channel, status, attempt, possible_duplicate) VALUES ($1, $2, $3, $4, $5, $6)`,
      [eventId, leadId, channel, index === flags.length - 1 ? 'sent' : 'failed', index + 1, flagged],
    );
  }
}

function acknowledge(
  ledger: Ledger,
  tag: string,
  seq: number,
  status: number,
  body: Record<string, unknown>,
  at = Date.now(),
): { name: string; key: string } {
  const name = `fault-${tag}-${String(seq).padStart(6, '0')}`;
  const key = `${name}-key`;
  ledger.sent({ requestId: name, idempotencyKey: key, route: '/api/leads', name, email: `${name}@example.com`, at: at - 50 });
  ledger.answered(name, { status, body, at });
  return { name, key };
}

const link = (id: string) => `<http://127.0.0.1:3000/admin#/leads/${id}|Open the lead in Leadline>`;

describe('the checker', () => {
  it('when a hand-made ledger and rows hold one lead not stored, one never alerted, a flagged and an unflagged duplicate, then it counts each of them', async () => {
    const tag = newRunTag();
    const ledger = new Ledger();
    const [a, b, c, d, e] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const recoveredAt = Date.now();

    const leadA = acknowledge(ledger, tag, 1, 201, { id: a });
    const leadB = acknowledge(ledger, tag, 2, 202, { id: b, spooled: true });
    const leadC = acknowledge(ledger, tag, 3, 201, { id: c });
    acknowledge(ledger, tag, 4, 201, { id: d }); // acknowledged, never stored: lost
    const leadE = acknowledge(ledger, tag, 5, 200, { id: e, duplicate: true });
    // Not acknowledged: a 503 whose lead was stored anyway (not lost), and a timeout that never was.
    const refused = acknowledge(ledger, tag, 6, 503, { status: 503 });
    ledger.sent({ requestId: 'timed-out', idempotencyKey: 'timed-out-key', route: '/api/leads', name: 'x', email: 'x@example.com' });
    ledger.failed('timed-out', 'timeout', 'no answer within 10000 ms');

    const eventA = await storeLead(a, leadA.name, `client:api:${leadA.key}`);
    const eventB = await storeLead(b, leadB.name, `client:api:${leadB.key}`);
    const eventC = await storeLead(c, leadC.name, `client:api:${leadC.key}`);
    const eventE = await storeLead(e, leadE.name, `client:api:${leadE.key}`);
    await storeLead(randomUUID(), refused.name, `client:api:${refused.key}`);
    await storeAttempts(eventA, a, 'slack', [false]);
    await storeAttempts(eventB, b, 'slack', [false]);
    await storeAttempts(eventC, c, 'slack', [false, true]); // its repeat is flagged
    await storeAttempts(eventE, e, 'slack', [false, true, false]); // two repeats, one flagged

    const receipts: Receipt[] = [
      { channel: 'slack', at: recoveredAt + 1000, text: `{"text":"New lead","blocks":["${link(a)}"]}` },
      // A summary naming two leads by link, and one lead twice in the same message (counted once).
      { channel: 'slack', at: recoveredAt + 2000, text: `${link(b)} ${link(c)} ${link(c)}` },
      { channel: 'slack', at: recoveredAt + 2500, text: link(c) },
      { channel: 'slack', at: recoveredAt + 3000, text: link(e) },
      { channel: 'slack', at: recoveredAt + 3100, text: link(e) },
      // A compact summary without links names leads by name only.
      { channel: 'slack', at: recoveredAt + 3200, text: `- WARM ${leadE.name}, by 12:00 UTC` },
      { channel: 'email', at: recoveredAt + 4000, text: `New WARM lead: ${leadA.name}` },
      { channel: 'email', at: recoveredAt + 4500, text: `3 new leads: ${leadB.name}, ${leadC.name}` },
    ];

    const report = await checkRun({ db: control.pool, ledger, receipts, channels: ['slack', 'email'], recoveredAt });

    expect(report.acknowledged, describeReport(report)).toBe(5);
    expect(report.spooled).toBe(1);
    expect(report.notStored).toEqual([d]);
    expect(report.notAlerted).toEqual({ slack: [], email: [e], telegram: [] });
    expect(report.lost).toBe(2);
    expect(report.duplicated).toBe(2);
    expect(report.duplicates).toEqual(
      expect.arrayContaining([
        { leadId: c, channel: 'slack', received: 2, flaggedAttempts: 1 },
        { leadId: e, channel: 'slack', received: 3, flaggedAttempts: 1 },
      ]),
    );
    expect(report.duplicatedFlagged).toBe(1);
    expect(report.repeats).toBe(3);
    expect(report.unflaggedRepeats).toBe(1);
    expect(report.repeatedMessages).toEqual({ slack: 3, email: 0, telegram: 0 });
    expect(report.lastAlertAt).toBe(recoveredAt + 4500);
    expect(report.catchUpMs).toBe(4500);
    expect(report.unacknowledgedStored).toBe(1);
    expect(report.ledger.errors.timeout).toBe(1);

    const { summary, line } = summarize('checker self-test', report, { rounds: 3 });
    // While leads are missing there is no catch-up time to give.
    expect(summary).toMatchObject({ lost: 2, duplicated: 2, duplicatedFlagged: 1, catchUpMs: undefined, maxAnswerMs: 50, rounds: 3 });
    expect(line).toBe(
      '[fault] checker self-test: lost 2 / duplicated 2 (1 flagged) / max answer 50 ms / catch-up never / answers 200×1, 201×3, 202×1, 503×1, timeout×1 / rounds 3',
    );
  });

  it("when the real formatters' messages (a Slack card and summary, a compact Telegram summary, emails) reach the stubs, then every lead they name is matched and nothing is counted twice", async () => {
    const tag = newRunTag();
    const ledger = new Ledger();
    const leads: LeadSummary[] = [];
    for (let seq = 1; seq <= 21; seq++) {
      const id = randomUUID();
      const { name, key } = acknowledge(ledger, tag, seq, 201, { id });
      await storeLead(id, name, `client:api:${key}`);
      leads.push({
        id,
        name,
        email: `${name}@example.com`,
        phone: null,
        // A long source pushes Telegram's summary to its compact form, which drops the links.
        source: 'a-rather-long-source-name-that-fills-the-summary-line-up-to-sixty',
        quality: 'warm',
        score: 40,
        message: 'please call back',
        createdAt: new Date(),
        slaDeadline: new Date(Date.now() + 3_600_000),
        adminUrl: `http://127.0.0.1:3000/admin#/leads/${id}`,
      });
    }
    const notice = (lead: LeadSummary, index: number): Notice => ({ kind: 'lead.created', eventId: String(index + 1), lead });
    const [first, ...rest] = leads;

    const postSlack = (payload: unknown) =>
      fetch(slack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    expect((await postSlack(formatSlackMessage({ notices: [notice(first!, 0)], messageKey: '1.slack' }))).status).toBe(200);
    expect(
      (await postSlack(formatSlackMessage({ notices: rest.map((lead, index) => notice(lead, index + 1)), messageKey: '2.slack' }))).status,
    ).toBe(200);

    const telegramHtml = formatTelegramMessage({
      notices: rest.slice(0, 20).map((lead, index) => notice(lead, index + 1)),
      messageKey: '2.telegram',
    });
    expect(telegramHtml, 'the compact summary carries no links').not.toContain('href');
    const sendTelegram = (text: string) =>
      fetch(`${telegram.apiRoot}/bot${telegram.token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: '777', text, parse_mode: 'HTML' }),
      });
    expect((await sendTelegram(formatTelegramMessage({ notices: [notice(first!, 0)], messageKey: '1.telegram' }))).status).toBe(200);
    expect((await sendTelegram(telegramHtml)).status).toBe(200);

    const transport = nodemailer.createTransport({ pool: true, host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true });
    for (const [index, lead] of leads.entries()) {
      const email = formatEmailMessage({ notices: [notice(lead, index)], messageKey: `${index + 1}.email` });
      await transport.sendMail({
        from: 'leads@example.com',
        to: 'team@example.com',
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: email.messageId,
      });
    }
    transport.close();

    const report = await checkRun({
      db: control.pool,
      ledger,
      receipts: () => collectReceipts({ slack, smtp, telegram }),
      channels: ['slack', 'email', 'telegram'],
    });

    expect(report.lost, describeReport(report)).toBe(0);
    expect(report.duplicated, describeReport(report)).toBe(0);
    expect(report.acknowledged).toBe(21);
  });
});
