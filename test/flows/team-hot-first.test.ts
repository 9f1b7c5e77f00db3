import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { startSlackStub, type SlackStub } from '../stubs/start-slack-stub.ts';

let db: TestDatabase;
let app: Leadline & { url: string };
let slack: SlackStub;

beforeAll(async () => {
  db = await createTestDatabase('team_hot_first');
  slack = await startSlackStub();
  // Slack at its real pace (SLACK_MIN_INTERVAL's default, one message a second): the backlog is what is measured.
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000', SLACK_WEBHOOK_URL: slack.url });
});
afterAll(async () => {
  await app?.stop();
  await slack?.close();
  await db?.drop();
});

async function captureMany(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - start) }, (_, i) =>
        postJson(`${app.url}/api/leads`, { name: `Cold Backlog ${start + i}`, email: `cold${start + i}@customer.test`, urgency: 'low' }),
      ),
    );
    for (const response of batch) {
      expect(response.status).toBe(201);
      expect(response.body.quality).toBe('cold');
      ids.push(response.body.id as string);
    }
  }
  return ids;
}

describe('hot leads first (issue 15, acceptance 4)', () => {
  it('"300 cold leads queued during a pause, then one hot lead: after resume, the hot lead is named in the first or second Slack message."', async () => {
    expect((await postJson(`${app.url}/api/admin/pause`, {}, adminHeaders())).body).toEqual({ paused: true });
    const cold = await captureMany(300);
    const hot = await postJson(`${app.url}/api/leads`, {
      name: 'Hugo Hotfirst',
      phone: '+14155550199',
      message: 'Burst pipe, flooding now',
      urgency: 'emergency',
    });
    expect(hot.body.quality).toBe('hot');
    // Every alert is queued (the relay runs while deliveries are paused) before the workers start again.
    await waitFor(
      'all 301 events relayed',
      async () => {
        const { rows } = await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM lead_events WHERE event_type = 'lead.created' AND processed_at IS NOT NULL AND conversation_id = ANY($1::uuid[])`,
          [[...cold, hot.body.id]],
        );
        return rows[0]!.n === 301;
      },
      30_000,
    );
    expect(slack.received).toHaveLength(0);

    expect((await postJson(`${app.url}/api/admin/resume`, {}, adminHeaders())).body).toEqual({ paused: false });
    await slack.waitFor((received) => received.length >= 2, 15_000);
    const firstTwo = slack.received.slice(0, 2).map((request) => request.rawBody);
    expect(firstTwo.some((body) => body.includes('Hugo Hotfirst'))).toBe(true);

    // And the cold ones are not starved: every one of them is delivered too.
    await waitFor(
      'every cold lead delivered',
      async () => {
        const { rows } = await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
            WHERE n.channel = 'slack' AND n.status = 'sent' AND e.conversation_id = ANY($1::uuid[])`,
          [cold],
        );
        return rows[0]!.n === 300;
      },
      30_000,
    );
  });

  it('when the panel lists by urgency, then unanswered leads come nearest deadline first and answered ones are left out', async () => {
    const response = await fetch(`${app.url}/api/admin/leads?sort=urgency&limit=5`, { headers: adminHeaders() });
    expect(response.status).toBe(200);
    const page = (await response.json()) as {
      items: { name: string; sla_deadline: string; first_response_at: string | null }[];
      next_cursor: string | null;
    };
    expect(page.items[0]!.name).toBe('Hugo Hotfirst');
    const deadlines = page.items.map((item) => Date.parse(item.sla_deadline));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    const next = await fetch(`${app.url}/api/admin/leads?sort=urgency&limit=5&cursor=${page.next_cursor}`, { headers: adminHeaders() });
    const second = (await next.json()) as { items: { sla_deadline: string }[] };
    expect(Date.parse(second.items[0]!.sla_deadline)).toBeGreaterThanOrEqual(deadlines.at(-1)!);
    expect(page.items.every((item) => item.first_response_at === null)).toBe(true);
  });
});
