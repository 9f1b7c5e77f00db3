import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { startSlackStub, type SlackStub } from '../stubs/start-slack-stub.ts';
import { startSmtpStub, type SmtpStub } from '../stubs/start-smtp-stub.ts';

let db: TestDatabase;
let app: Leadline & { url: string };
let smtp: SmtpStub;
let slack: SlackStub;

beforeAll(async () => {
  db = await createTestDatabase('team_assignment');
  [smtp, slack] = await Promise.all([startSmtpStub(), startSlackStub()]);
  app = await startTestLeadline(db.url, {
    RATE_LIMIT_PER_MINUTE: '100000',
    ASSIGNMENT: 'round_robin',
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_MIN_INTERVAL: '0',
    EMAIL_HOST: smtp.host,
    EMAIL_PORT: String(smtp.port),
    EMAIL_FROM: 'Leadline <leads@example.com>',
    LEAD_ALERT_EMAIL: 'team@example.com',
  });
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([smtp?.close(), slack?.close()]);
  await db?.drop();
});

async function addAgent(body: Record<string, unknown>): Promise<string> {
  const response = await postJson(`${app.url}/api/admin/agents`, body, adminHeaders());
  expect(response.status).toBe(201);
  return response.body.id as string;
}

async function capture(name: string, source?: string): Promise<string> {
  const response = await postJson(`${app.url}/api/leads`, {
    name,
    email: `${name.toLowerCase().replace(/\W/g, '')}@customer.test`,
    ...(source ? { source } : {}),
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

const assigneeOf = async (leadId: string) =>
  (await db.pool.query<{ assigned_to: string | null }>(`SELECT assigned_to FROM conversations WHERE id = $1`, [leadId])).rows[0]!
    .assigned_to;

describe('round-robin assignment (issue 15, acceptance 1)', () => {
  it('"Two agents and a manager: four new leads are assigned 2/2 to the agents, none to the manager; each alert also reaches its agent\'s own address."', async () => {
    const first = await addAgent({ name: 'Agent One', email: 'one@team.test' });
    const second = await addAgent({
      name: 'Agent Two',
      email: 'two@team.test',
      slack_webhook_url: slack.url.replace('T00000000/B00000000', 'TAGENT2/BAGENT2'),
    });
    const manager = await addAgent({ name: 'The Manager', email: 'boss@team.test', role: 'manager' });

    const leads: string[] = [];
    for (const name of ['Rr Alpha', 'Rr Bravo', 'Rr Charlie', 'Rr Delta']) leads.push(await capture(name));
    const assignees = await Promise.all(leads.map(assigneeOf));
    expect(assignees.filter((id) => id === first)).toHaveLength(2);
    expect(assignees.filter((id) => id === second)).toHaveLength(2);
    expect(assignees).not.toContain(manager);
    // In turn: one, two, one, two (or two, one, …): never the same agent twice in a row.
    expect(assignees[0]).not.toBe(assignees[1]);
    expect(assignees[1]).not.toBe(assignees[2]);

    // Each lead's alert reaches its own agent's inbox (and only that agent's), beside the team's.
    const addressOf = new Map([
      [first, 'one@team.test'],
      [second, 'two@team.test'],
    ]);
    await smtp.waitFor(
      (received) =>
        leads.every((_, i) =>
          received.some(
            (m) =>
              m.rcptTo.includes(addressOf.get(assignees[i]!)!) && m.text?.includes(['Rr Alpha', 'Rr Bravo', 'Rr Charlie', 'Rr Delta'][i]!),
          ),
        ),
      15_000,
    );
    for (const [i, name] of ['Rr Alpha', 'Rr Bravo', 'Rr Charlie', 'Rr Delta'].entries()) {
      const toAgents = smtp.received.filter((m) => m.text?.includes(name) && !m.rcptTo.includes('team@example.com'));
      expect(toAgents.map((m) => m.rcptTo)).toEqual([[addressOf.get(assignees[i]!)]]);
    }
    expect(smtp.received.some((m) => m.rcptTo.includes('boss@team.test'))).toBe(false);
    // Agent two also has a Slack webhook of its own: its two leads reach it there.
    await slack.waitFor((received) => received.filter((r) => r.path.includes('TAGENT2')).length >= 2, 15_000);

    // A fact per assignment, with a timeline row, and a delivery row per agent address.
    const { rows: events } = await db.pool.query<{ conversation_id: string; payload: Record<string, unknown> }>(
      `SELECT conversation_id, payload FROM lead_events WHERE event_type = 'lead.assigned' AND conversation_id = ANY($1::uuid[])`,
      [leads],
    );
    expect(events).toHaveLength(4);
    for (const event of events)
      expect(event.payload).toEqual({
        agent_id: assignees[leads.indexOf(event.conversation_id)],
        previous_agent_id: null,
        via: 'round_robin',
      });
    const { rows: timeline } = await db.pool.query(
      `SELECT 1 FROM conversation_timeline WHERE event_type = 'lead.assigned' AND conversation_id = ANY($1::uuid[])`,
      [leads],
    );
    expect(timeline).toHaveLength(4);
    // The sent rows commit a moment after the server accepted each mail: wait for them.
    const expected = [
      { channel: `agent:${first}:email`, n: 2 },
      { channel: `agent:${second}:email`, n: 2 },
      { channel: `agent:${second}:slack`, n: 2 },
    ];
    await waitFor('one sent delivery per lead and agent address', async () => {
      const { rows } = await db.pool.query<{ channel: string; n: number }>(
        `SELECT channel, count(*)::int AS n FROM notification_logs WHERE channel LIKE 'agent:%' AND status = 'sent' GROUP BY channel ORDER BY channel`,
      );
      return expected.every((want) => rows.some((row) => row.channel === want.channel && row.n === want.n)) && rows.length === 3;
    });
  });

  it('when agents are limited to sources or inactive, then only the matching active ones are picked', async () => {
    await db.pool.query(`UPDATE agents SET active = false`);
    const portal = await addAgent({ name: 'Portal Agent', sources: ['portal'] });
    const lead = await capture('Rr Portal', 'portal');
    expect(await assigneeOf(lead)).toBe(portal);
    const other = await capture('Rr Elsewhere', 'elsewhere');
    expect(await assigneeOf(other)).toBeNull();
  });
});
