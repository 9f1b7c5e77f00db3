import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLead } from '../../src/capture/capture-lead.ts';
import type { LeadDraft } from '../../src/capture/lead-draft.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadDeliveryNotices } from '../../src/delivery/load-delivery-notices.ts';
import type { Digest } from '../../src/digest/build-digest.ts';
import { yesterdayIn } from '../../src/digest/digest-date.ts';
import { renderDigest } from '../../src/digest/render-digest.ts';
import { sendDigest } from '../../src/digest/send-digest.ts';
import { DIGEST_QUEUE, startDailyDigest } from '../../src/digest/start-daily-digest.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { breachOverdueLeads } from '../../src/sla/breach-overdue-leads.ts';
import { recordLeadResponse } from '../../src/leads/record-lead-response.ts';
import { startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { startSmtpStub, type SmtpStub } from '../stubs/start-smtp-stub.ts';

let db: TestDatabase;
let smtp: SmtpStub;
let app: Awaited<ReturnType<typeof startTestLeadline>>;

const TZ = 'Europe/Berlin';
const sla = loadConfig({ NODE_ENV: 'test' }).sla;
const clockAt = (iso: string): Clock => ({ now: () => new Date(iso) });
/** 08:00 in Berlin on 3 June: the morning digest covers Monday 2 June, 2025-06-01T22:00Z to 2025-06-02T22:00Z. */
const digestClock = clockAt('2025-06-03T06:00:00Z');
/** The app's clock; the scheduled-job test moves it a day on, like the real morning after. */
let appNow = digestClock.now();
const appClock: Clock = { now: () => appNow };
/** The one lead the digest of 2 June names (its breach happened that day). */
let breachedLeadId: string;

let counter = 0;
const hot = (source = 'api'): LeadDraft =>
  source === 'chatbot'
    ? {
        source,
        name: `Chatter ${++counter}`,
        email: `chat${counter}@example.com`,
        phone: null,
        messages: [{ role: 'user', content: 'Need a plumber asap' }],
      }
    : { source, name: `Hot ${++counter}`, email: null, phone: '+14155550123', messages: [], urgency: 'emergency' };
const warm = (): LeadDraft => ({
  source: 'contact-form',
  name: `Planner ${++counter}`,
  email: `p${counter}@example.com`,
  phone: null,
  message: 'Please call me back about pricing',
  messages: [],
});
const cold = (): LeadDraft => ({ source: 'meta', name: `Meta ${++counter}`, email: `m${counter}@example.com`, phone: null, messages: [] });

async function capture(draft: LeadDraft, at: string, expectedQuality: string): Promise<string> {
  const result = await captureLead({ db: db.pool, clock: clockAt(at), sla }, draft);
  expect(result.quality).toBe(expectedQuality);
  return result.id;
}
const respond = (id: string, at: string) => recordLeadResponse(db.pool, { id, now: new Date(at) });
const breachAt = (at: string) => breachOverdueLeads(db.pool, new Date(at));

beforeAll(async () => {
  db = await createTestDatabase('digest');
  smtp = await startSmtpStub();

  // The day, in the order it happened (times UTC; Berlin is UTC+2 in June).
  await capture(hot(), '2025-06-01T21:30:00Z', 'hot'); // Sunday 23:30: the day before
  await breachAt('2025-06-01T21:45:00Z'); //                 …and its breach, also the day before
  await respond(await capture(hot(), '2025-06-02T06:00:00Z', 'hot'), '2025-06-02T06:02:00Z'); // 2 min
  await respond(await capture(hot('chatbot'), '2025-06-02T07:00:00Z', 'hot'), '2025-06-02T07:10:00Z'); // 10 min
  await respond(await capture(warm(), '2025-06-02T08:00:00Z', 'warm'), '2025-06-02T08:30:00Z'); // 30 min
  const late = await capture(warm(), '2025-06-02T09:00:00Z', 'warm');
  breachedLeadId = late;
  await breachAt('2025-06-02T10:00:00Z'); // the one breach of the day
  await respond(late, '2025-06-02T11:00:00Z'); // 2 h: missed
  await capture(cold(), '2025-06-02T10:30:00Z', 'cold'); // unanswered, due tomorrow: pending
  await capture(hot(), '2025-06-02T21:50:00Z', 'hot'); // 23:50, unanswered…
  await breachAt('2025-06-02T22:05:00Z'); //                …breached after midnight: a miss of the day, a breach of the next
  await capture(hot(), '2025-06-02T22:10:00Z', 'hot'); // 00:10 on Tuesday: the next day

  // Dead letters: two Slack and one email on the day; one the next day and one merely failed do not count.
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM lead_events ORDER BY id LIMIT 1`);
  const eventId = rows[0]!.id;
  for (const [channel, status, at] of [
    ['slack', 'dead', '2025-06-02T12:00:00Z'],
    ['slack', 'dead', '2025-06-02T12:30:00Z'],
    ['email', 'dead', '2025-06-02T13:00:00Z'],
    ['email', 'dead', '2025-06-02T22:30:00Z'],
    ['telegram', 'failed', '2025-06-02T14:00:00Z'],
  ] as const) {
    await db.pool.query(`INSERT INTO notification_logs (event_id, channel, status, created_at, finished_at) VALUES ($1, $2, $3, $4, $4)`, [
      eventId,
      channel,
      status,
      at,
    ]);
  }

  // The whole app with an email channel: its relay delivers the digest (and the alerts of the leads above).
  // It runs on the test's clock too, so its own SLA monitor and digest worker see the same morning.
  app = await startTestLeadline(
    db.url,
    {
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(smtp.port),
      EMAIL_FROM: 'leadline@example.com',
      LEAD_ALERT_EMAIL: 'alerts@example.com',
      LEAD_DIGEST_EMAIL: 'team@example.com',
    },
    { clock: appClock },
  );
});
afterAll(async () => {
  await app?.stop();
  await smtp?.close();
  await db?.drop();
});

const EXPECTED_TEXT = `Leadline daily digest for 2025-06-02 (Europe/Berlin)

Leads: 6 (hot 3, warm 2, cold 1)
  api: 2 (hot 2, warm 0, cold 0)
  contact-form: 2 (hot 0, warm 2, cold 0)
  chatbot: 1 (hot 1, warm 0, cold 0)
  meta: 1 (hot 0, warm 0, cold 1)

Answered: 4 of 6; still waiting: 2
Time to first response: median 20m 00s, p90 1h 33m
  contact-form (source): median 1h 15m, p90 1h 51m, 2 answered
  api (source): median 2m 00s, p90 2m 00s, 1 answered
  chatbot (source): median 10m 00s, p90 10m 00s, 1 answered
SLA compliance: 60% (3 met, 2 missed, 1 pending)
SLA breaches: 1
  WARM Planner 5 (contact-form), due 2025-06-02 10:00 UTC
Failed deliveries: 3 (slack 2, email 1)

Open the admin panel: http://127.0.0.1:3000/admin`;

describe('daily digest', () => {
  it('when the digest of yesterday is sent with a fixed clock, then one digests row holds the rendered digest, one digest.sent event carries only its id, the date and counts, and one email goes out', async () => {
    const date = yesterdayIn(digestClock.now(), TZ);
    expect(date).toBe('2025-06-02');
    const result = await sendDigest({ db: db.pool, clock: digestClock, timeZone: TZ, adminUrl: 'http://127.0.0.1:3000/admin' }, date);
    expect(result.sent).toBe(true);
    expect(result.digest.response).toEqual({ answered: 4, unanswered: 2, medianSeconds: 1_200, p90Seconds: 5_580 });
    expect(result.digest.sla).toEqual({ met: 3, missed: 2, pending: 1, compliancePercent: 60 });

    const { rows } = await db.pool.query(
      `SELECT payload, idempotency_key, created_at, conversation_id FROM lead_events WHERE event_type = 'digest.sent'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ idempotency_key: 'digest:2025-06-02', created_at: digestClock.now(), conversation_id: null });
    // Ids, the date and numbers only: the event stream (which staff read live) never names a lead.
    expect(rows[0].payload).toEqual({ digest_id: result.digestId, date: '2025-06-02', leads: 6, breaches: 1, failed_deliveries: 3 });

    const { rows: stored } = await db.pool.query(
      `SELECT id::text, digest_date::text, time_zone, subject, text, html, counts, named_lead_ids::text[] AS named_lead_ids, created_at FROM digests`,
    );
    expect(stored).toEqual([
      {
        id: result.digestId,
        digest_date: '2025-06-02',
        time_zone: TZ,
        subject: 'Leadline digest 2025-06-02: 6 leads, SLA 60%, 1 breach',
        text: EXPECTED_TEXT,
        html: expect.stringContaining('median 20m 00s, p90 1h 33m'),
        counts: expect.objectContaining({ sla: { met: 3, missed: 2, pending: 1, compliancePercent: 60 }, breaches: { total: 1 } }),
        named_lead_ids: [breachedLeadId],
        created_at: digestClock.now(),
      },
    ]);
    expect(stored[0].html).toContain('<td style="padding:2px 8px">contact-form</td>');
    expect(JSON.stringify(stored[0].counts)).not.toContain('Planner');

    await smtp.waitFor((messages) => messages.some((m) => m.subject?.startsWith('Leadline digest 2025-06-02')), 15_000);
    const digests = smtp.received.filter((m) => m.subject?.startsWith('Leadline digest'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.rcptTo).toEqual(['team@example.com']);
    expect(digests[0]!.text).toContain('Time to first response: median 20m 00s, p90 1h 33m');
    expect(digests[0]!.text).toContain('SLA compliance: 60% (3 met, 2 missed, 1 pending)');
  });

  it('when the digest of the same day is sent again, then nothing new is written or sent', async () => {
    const again = await sendDigest({ db: db.pool, clock: clockAt('2025-06-03T09:00:00Z'), timeZone: TZ }, '2025-06-02');
    expect(again).toMatchObject({ sent: false, sentAt: digestClock.now(), digestId: expect.any(String) });
    const { rows } = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM lead_events WHERE event_type = 'digest.sent') AS events, (SELECT count(*)::int FROM digests) AS digests`,
    );
    expect(rows[0]).toEqual({ events: 1, digests: 1 });
    await app.relay?.drain();
    expect(smtp.received.filter((m) => m.subject?.startsWith('Leadline digest'))).toHaveLength(1);
  });

  it('when the scheduled job runs (twice, as with two workers), then it writes one digest of the previous day in DIGEST_TZ and the cron is registered in that zone', async () => {
    const logger = createLogger({ level: 'silent' });
    appNow = new Date('2025-06-04T05:00:00Z'); // 07:00 on 4 June in Berlin, for the app's worker too
    const digest = await startDailyDigest({ db: app.pool, boss: app.boss, clock: appClock, logger, cron: '0 8 * * *', timeZone: TZ });
    try {
      const schedules = await app.boss.getSchedules(DIGEST_QUEUE);
      expect(schedules).toEqual([expect.objectContaining({ name: DIGEST_QUEUE, cron: '0 8 * * *', timezone: TZ })]);
      await app.boss.send(DIGEST_QUEUE, {});
      await app.boss.send(DIGEST_QUEUE, {});
      await waitFor(
        'both digest jobs to finish',
        async () => (await app.boss.findJobs(DIGEST_QUEUE)).filter((job) => job.state === 'completed').length === 2,
        20_000,
      );
      const { rows } = await db.pool.query(
        `SELECT e.payload->>'date' AS date, d.digest_date::text AS digest_date
           FROM lead_events e JOIN digests d ON d.id = (e.payload->>'digest_id')::bigint
          WHERE e.event_type = 'digest.sent' ORDER BY e.id`,
      );
      expect(rows).toEqual([
        { date: '2025-06-02', digest_date: '2025-06-02' },
        { date: '2025-06-03', digest_date: '2025-06-03' },
      ]);
    } finally {
      await digest.stop();
    }
  });
});

describe('digests sent before the digests table', () => {
  it('when migration 004 runs over a digest.sent event that carries the rendered digest, then the text moves to a digests row, the event keeps ids and counts, and its delivery still sends that text', async () => {
    const legacy = await createTestDatabase('digest-legacy');
    try {
      // Back to the schema before 004: no digests table, 004 not applied (later migrations do not depend on it).
      await legacy.pool.query(`DROP TABLE digests; DELETE FROM schema_migrations WHERE name LIKE '004\_%'`);
      const leadId = '4f6c1d9e-2b7a-4c3e-9d8f-0a1b2c3d4e5f';
      const stats: Digest = {
        date: '2025-05-30',
        timeZone: TZ,
        from: '2025-05-29T22:00:00.000Z',
        to: '2025-05-30T22:00:00.000Z',
        leads: { total: 4, byQuality: { hot: 4, warm: 0, cold: 0 }, bySource: [{ source: 'api', total: 4, hot: 4, warm: 0, cold: 0 }] },
        response: { answered: 3, unanswered: 1, medianSeconds: 300, p90Seconds: 600 },
        sla: { met: 3, missed: 1, pending: 0, compliancePercent: 75 },
        breaches: {
          total: 1,
          leads: [{ id: leadId, name: 'Prudence Legacy', source: 'api', quality: 'hot', deadline: '2025-05-30T09:15:00.000Z' }],
        },
        failedDeliveries: { total: 2, byChannel: [{ channel: 'slack', count: 2 }] },
      };
      const rendered = renderDigest(stats);
      const { rows: inserted } = await legacy.pool.query<{ id: string }>(
        `INSERT INTO lead_events (event_type, payload, idempotency_key, created_at) VALUES ('digest.sent', $1, 'digest:2025-05-30', '2025-05-31T06:00:00Z') RETURNING id::text`,
        [JSON.stringify({ date: '2025-05-30', time_zone: TZ, subject: rendered.subject, text: rendered.text, html: rendered.html, stats })],
      );
      const eventId = inserted[0]!.id;

      expect((await migrate(legacy.pool)).applied).toContain('004_digests.sql');

      const { rows: digests } = await legacy.pool.query(
        `SELECT id::text, digest_date::text, time_zone, subject, text, html, counts, named_lead_ids::text[] AS named_lead_ids, created_at FROM digests`,
      );
      expect(digests).toEqual([
        {
          id: expect.any(String),
          digest_date: '2025-05-30',
          time_zone: TZ,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          counts: {
            leads: stats.leads,
            response: stats.response,
            sla: stats.sla,
            breaches: { total: 1 },
            failedDeliveries: stats.failedDeliveries,
          },
          named_lead_ids: [leadId],
          created_at: new Date('2025-05-31T06:00:00Z'),
        },
      ]);
      const { rows: events } = await legacy.pool.query(`SELECT payload FROM lead_events WHERE id = $1`, [eventId]);
      expect(events[0].payload).toEqual({ digest_id: digests[0].id, date: '2025-05-30', leads: 4, breaches: 1, failed_deliveries: 2 });

      const notices = await loadDeliveryNotices(legacy.pool, [eventId], 'http://127.0.0.1:3000');
      expect(notices.get(eventId)?.notice).toEqual({
        kind: 'digest',
        eventId,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
    } finally {
      await legacy.drop();
    }
  });
});
