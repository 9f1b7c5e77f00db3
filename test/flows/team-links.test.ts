import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { startSlackStub, type SlackStub } from '../stubs/start-slack-stub.ts';

let db: TestDatabase;
let app: Leadline & { url: string };
let slack: SlackStub;
let offsetMs = 0;
const logged: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('team_links');
  slack = await startSlackStub();
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
  app = await startTestLeadline(
    db.url,
    { RATE_LIMIT_PER_MINUTE: '100000', SLACK_WEBHOOK_URL: slack.url, SLACK_MIN_INTERVAL: '0', LOG_LEVEL: 'debug' },
    { clock: { now: () => new Date(Date.now() + offsetMs) }, logger },
  );
});
afterAll(async () => {
  await app?.stop();
  await slack?.close();
  await db?.drop();
});

/** The team link in the Slack alert that names `name`, as `/l/<token>`. */
async function linkFromSlack(name: string): Promise<string> {
  await slack.waitFor((received) => received.some((request) => request.rawBody.includes(name)), 15_000);
  const request = slack.received.find((candidate) => candidate.rawBody.includes(name))!;
  const match = /\/l\/([A-Za-z0-9_-]+)/.exec(request.rawBody);
  expect(match, 'the Slack alert carries a /l/<token> link').not.toBeNull();
  return `/l/${match![1]}`;
}

const post = (path: string, form?: Record<string, string>) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    ...(form ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : {}),
  });

const eventsOf = async (leadId: string) =>
  (
    await db.pool.query<{ event_type: string; payload: Record<string, unknown> }>(
      `SELECT event_type, payload FROM lead_events WHERE conversation_id = $1 ORDER BY id`,
      [leadId],
    )
  ).rows;

describe('one-tap team links (issue 15, acceptance 2)', () => {
  it('"The Slack alert\'s link: GET returns a page naming the lead and changes nothing; POST …/claim with agent_id assigns; POST …/respond sets the first response; both are events; a forged token is 404."', async () => {
    const agent = await postJson(`${app.url}/api/admin/agents`, { name: 'Link Agent' }, adminHeaders());
    const captured = await postJson(`${app.url}/api/leads`, { name: 'Lina Linkton', email: 'lina@customer.test' });
    const leadId = captured.body.id as string;
    const link = await linkFromSlack('Lina Linkton');
    // The link is absolute, under PUBLIC_URL (here the default, http://<HOST>:<PORT>).
    expect(slack.received.find((r) => r.rawBody.includes('Lina Linkton'))!.rawBody).toMatch(/https?:\/\/[^\s|>]+\/l\/[A-Za-z0-9_-]{40,}/);

    // Slack has the message a moment before its notification.sent fact commits: the GETs are compared with both in.
    await waitFor('the Slack alert to be recorded', async () =>
      (await eventsOf(leadId)).some((event) => event.event_type === 'notification.sent'),
    );
    const before = await eventsOf(leadId);
    const rowBefore = (await db.pool.query(`SELECT updated_at, assigned_to, first_response_at FROM conversations WHERE id = $1`, [leadId]))
      .rows[0];
    for (let i = 0; i < 3; i++) {
      const page = await fetch(`${app.url}${link}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.headers.get('set-cookie')).toBeNull();
      expect(page.headers.get('cache-control')).toBe('no-store');
      const html = await page.text();
      expect(html).toContain('Lina Linkton');
      expect(html).toContain('method="post"');
      expect(html).not.toContain('test-admin-key');
    }
    expect(await eventsOf(leadId)).toEqual(before);
    expect(
      (await db.pool.query(`SELECT updated_at, assigned_to, first_response_at FROM conversations WHERE id = $1`, [leadId])).rows[0],
    ).toEqual(rowBefore);

    const claimed = await post(`${link}/claim`, { agent_id: agent.body.id });
    expect(claimed.status).toBe(200);
    expect(await claimed.text()).toContain('Claimed');
    expect((await db.pool.query(`SELECT assigned_to FROM conversations WHERE id = $1`, [leadId])).rows[0].assigned_to).toBe(agent.body.id);

    const responded = await post(`${link}/respond`, { agent_id: agent.body.id });
    expect(responded.status).toBe(200);
    const lead = (await db.pool.query(`SELECT first_response_at, status FROM conversations WHERE id = $1`, [leadId])).rows[0];
    expect(lead.first_response_at).not.toBeNull();
    expect(lead.status).toBe('contacted');

    const events = (await eventsOf(leadId)).filter((event) => ['lead.assigned', 'lead.responded'].includes(event.event_type));
    expect(events).toEqual([
      { event_type: 'lead.assigned', payload: { agent_id: agent.body.id, previous_agent_id: null, via: 'link' } },
      { event_type: 'lead.responded', payload: expect.objectContaining({ via: 'link', agent_id: agent.body.id, within_sla: true }) },
    ]);
    const { rows: timeline } = await db.pool.query<{ event_type: string }>(
      `SELECT event_type FROM conversation_timeline WHERE conversation_id = $1 AND event_type IN ('lead.assigned', 'lead.responded')`,
      [leadId],
    );
    expect(timeline.map((row) => row.event_type).sort()).toEqual(['lead.assigned', 'lead.responded']);

    // A second respond changes nothing.
    const again = await post(`${link}/respond`);
    expect(again.status).toBe(200);
    expect((await eventsOf(leadId)).filter((event) => event.event_type === 'lead.responded')).toHaveLength(1);

    // Forged: one character changed, a made-up token, a token that is no token.
    const token = link.slice(3);
    const flipped = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    for (const forged of [flipped, 'A'.repeat(token.length), 'nope']) {
      const response = await fetch(`${app.url}/l/${forged}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await post(`/l/${forged}/claim`, { agent_id: agent.body.id })).status).toBe(404);
      expect((await post(`/l/${forged}/respond`)).status).toBe(404);
    }

    // No token in the logs.
    expect(logged.join('')).not.toContain(token);
  });

  it('when a team link has no agent and the claim names none, then 400 at agent_id; an unknown agent is 400 too', async () => {
    const captured = await postJson(`${app.url}/api/leads`, { name: 'Nora Noagent', email: 'nora@customer.test' });
    const link = await linkFromSlack('Nora Noagent');
    const missing = await post(`${link}/claim`);
    expect(missing.status).toBe(400);
    expect((await missing.json()).errors).toEqual([{ path: 'agent_id', message: 'is required' }]);
    const unknown = await post(`${link}/claim`, { agent_id: '0190a000-0000-7000-8000-000000000000' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0].path).toBe('agent_id');
    expect((await db.pool.query(`SELECT assigned_to FROM conversations WHERE id = $1`, [captured.body.id])).rows[0].assigned_to).toBeNull();
  });

  it('when 7 days have passed, then the link answers 410 and changes nothing', async () => {
    const captured = await postJson(`${app.url}/api/leads`, { name: 'Olga Oldlink', email: 'olga@customer.test' });
    const link = await linkFromSlack('Olga Oldlink');
    offsetMs = 7 * 24 * 3600 * 1000 + 60_000;
    try {
      expect((await fetch(`${app.url}${link}`)).status).toBe(410);
      expect((await post(`${link}/respond`)).status).toBe(410);
    } finally {
      offsetMs = 0;
    }
    expect(
      (await db.pool.query(`SELECT first_response_at FROM conversations WHERE id = $1`, [captured.body.id])).rows[0].first_response_at,
    ).toBeNull();
  });

  it('when the keys are rotated, then old links still work and new alerts are signed with the new key', async () => {
    await postJson(`${app.url}/api/leads`, { name: 'Rita Rotate', email: 'rita@customer.test' });
    const oldLink = await linkFromSlack('Rita Rotate');
    const rotated = await postJson(`${app.url}/api/admin/team-link-keys/rotate`, {}, adminHeaders());
    expect(rotated.status).toBe(201);
    expect((await fetch(`${app.url}${oldLink}`)).status).toBe(200);
    await postJson(`${app.url}/api/leads`, { name: 'Rolf Rotated', email: 'rolf@customer.test' });
    const newLink = await linkFromSlack('Rolf Rotated');
    expect((await fetch(`${app.url}${newLink}`)).status).toBe(200);
    const keyId = (link: string) => Buffer.from(link.slice(3), 'base64url').readUInt32BE(1);
    expect(keyId(newLink)).toBe(rotated.body.key_id);
    expect(keyId(newLink)).toBeGreaterThan(keyId(oldLink));
  });
});
