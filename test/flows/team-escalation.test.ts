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
  db = await createTestDatabase('team_escalation');
  [smtp, slack] = await Promise.all([startSmtpStub(), startSlackStub()]);
  // A hot lead is at risk after 3 s and breached after 6 s; the app's own SLA monitor (1 s sweep) watches it.
  app = await startTestLeadline(db.url, {
    RATE_LIMIT_PER_MINUTE: '100000',
    ASSIGNMENT: 'round_robin',
    SLA_HOT: '6s',
    SLA_WARNING: '3s',
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

const mailsTo = (address: string, text: string) =>
  smtp.received.filter((m) => m.rcptTo.includes(address) && (m.subject ?? '').includes(text));

describe('the escalation ladder (issue 15, acceptance 3)', () => {
  it('"A hot lead left alone: the warning reaches its agent directly; the breach reaches the manager by email; sla.escalated is recorded."', async () => {
    const agent = await postJson(`${app.url}/api/admin/agents`, { name: 'Esc Agent', email: 'agent@team.test' }, adminHeaders());
    await postJson(`${app.url}/api/admin/agents`, { name: 'Esc Manager', email: 'manager@team.test', role: 'manager' }, adminHeaders());
    const captured = await postJson(`${app.url}/api/leads`, {
      name: 'Hana Hotlead',
      phone: '+14155550142',
      message: 'Burst pipe, flooding now',
      urgency: 'emergency',
    });
    expect(captured.body.quality).toBe('hot');
    const leadId = captured.body.id as string;
    expect((await db.pool.query(`SELECT assigned_to FROM conversations WHERE id = $1`, [leadId])).rows[0].assigned_to).toBe(agent.body.id);

    await smtp.waitFor(() => mailsTo('agent@team.test', 'SLA at risk: Hana Hotlead').length > 0, 15_000);
    // The warning is the agent's; the manager is not woken for it.
    expect(mailsTo('manager@team.test', 'SLA at risk')).toEqual([]);

    // The breach reaches the manager and the agent (separate queues: in either order).
    await smtp.waitFor(
      () =>
        mailsTo('manager@team.test', 'SLA breached: Hana Hotlead').length > 0 &&
        mailsTo('agent@team.test', 'SLA breached: Hana Hotlead').length > 0,
      15_000,
    );
    expect(mailsTo('agent@team.test', 'SLA breached: Hana Hotlead')).toHaveLength(1);
    expect(mailsTo('manager@team.test', 'SLA breached: Hana Hotlead')).toHaveLength(1);
    const { rows } = await db.pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM lead_events WHERE conversation_id = $1 AND event_type = 'sla.escalated'`,
      [leadId],
    );
    expect(rows).toEqual([{ payload: expect.objectContaining({ managers: 1 }) }]);
    const { rows: timeline } = await db.pool.query<{ title: string }>(
      `SELECT title FROM conversation_timeline WHERE conversation_id = $1 AND event_type = 'sla.escalated'`,
      [leadId],
    );
    expect(timeline).toEqual([{ title: 'SLA breach escalated' }]);
    // Each manager address once: the delivery is recorded like any channel's.
    // One sent delivery per address (recorded right after the server accepted the mail).
    await waitFor('both breach deliveries recorded', async () => {
      const { rows: sent } = await db.pool.query(
        `SELECT n.channel FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
          WHERE e.conversation_id = $1 AND e.event_type = 'sla.breached' AND n.status = 'sent' AND n.channel LIKE 'agent:%'`,
        [leadId],
      );
      return sent.length === 2;
    });
  });

  it('when a hot lead is at risk and nobody is assigned, then the warning says it is unassigned', async () => {
    await db.pool.query(`UPDATE agents SET active = false WHERE role = 'agent'`);
    await db.pool.query(
      `INSERT INTO agents (id, name, role, active) VALUES (gen_random_uuid(), 'Only Manager Left', 'manager', true) ON CONFLICT DO NOTHING`,
    );
    const captured = await postJson(`${app.url}/api/leads`, {
      name: 'Ulla Unowned',
      phone: '+14155550143',
      message: 'Gas smell, urgent',
      urgency: 'emergency',
    });
    expect(captured.body.quality).toBe('hot');
    await waitFor(
      'the Slack warning of the unassigned lead',
      () =>
        slack.received.some(
          (request) =>
            request.rawBody.includes('SLA at risk') && request.rawBody.includes('Ulla Unowned') && request.rawBody.includes('UNASSIGNED'),
        ),
      15_000,
    );
  });
});
