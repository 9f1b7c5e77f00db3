import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline } from '../helpers/start-test-leadline.ts';

let db: TestDatabase;
let app: Leadline & { url: string };

beforeAll(async () => {
  db = await createTestDatabase('team_agents');
  app = await startTestLeadline(db.url, { RATE_LIMIT_PER_MINUTE: '100000' });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

async function request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; type: string | null }> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: adminHeaders(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, type: response.headers.get('content-type') };
}

async function capture(): Promise<string> {
  const response = await postJson(`${app.url}/api/leads`, { name: 'Team Lead', email: `lead-${Math.random()}@example.com` });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

describe('the team (issue 15, "The team")', () => {
  it('when an agent is added, listed and changed, then the API shows it, never echoes its Slack webhook URL, and audits each change', async () => {
    const created = await request('POST', '/api/admin/agents', {
      name: 'Ada Agent',
      email: 'Ada@Example.com',
      slack_webhook_url: 'https://hooks.slack.com/services/T1/B1/secret',
      sources: ['api'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Ada Agent', email: 'ada@example.com', role: 'agent', active: true, sources: ['api'] });
    expect(created.body.slack_webhook_url_set).toBe(true);
    expect(JSON.stringify(created.body)).not.toContain('secret');

    const patched = await request('PATCH', `/api/admin/agents/${created.body.id}`, { role: 'manager', sources: null, active: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ role: 'manager', sources: null, active: false });

    const list = await request('GET', '/api/admin/agents');
    expect(list.body.items.map((agent: { id: string }) => agent.id)).toContain(created.body.id);

    const { rows } = await db.pool.query<{ action: string; details: Record<string, unknown> }>(
      `SELECT action, details FROM audit_log WHERE target_type = 'agent' AND target_id = $1 ORDER BY id`,
      [created.body.id],
    );
    expect(rows.map((row) => row.action)).toEqual(['agent.create', 'agent.update']);
    expect(JSON.stringify(rows)).not.toContain('ada@example.com');
  });

  it('when an agent body is invalid, then the answer is problem+json naming each field', async () => {
    const bad = await request('POST', '/api/admin/agents', {
      name: '',
      email: 'nope',
      role: 'boss',
      slack_webhook_url: 'http://example.com/x',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'email',
      'extra',
      'name',
      'role',
      'slack_webhook_url',
    ]);

    const missing = await request('PATCH', '/api/admin/agents/0190a000-0000-7000-8000-000000000000', { name: 'Nobody' });
    expect(missing.status).toBe(404);
    const badId = await request('PATCH', '/api/admin/agents/not-an-id', { name: 'Nobody' });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].path).toBe('id');
  });

  it('when a lead is assigned with PATCH, then its detail, the list filter, a lead.assigned event and a timeline row show it', async () => {
    const agent = await request('POST', '/api/admin/agents', { name: 'Bea Agent' });
    const leadId = await capture();
    const other = await capture();

    const assigned = await request('PATCH', `/api/admin/leads/${leadId}`, { assigned_to: agent.body.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ assigned_to: agent.body.id, previous_assigned_to: null, assignment_changed: true });

    const detail = await request('GET', `/api/admin/leads/${leadId}`);
    expect(detail.body.lead.assigned_to).toBe(agent.body.id);
    expect(detail.body.lead.assignee).toMatchObject({ name: 'Bea Agent', role: 'agent' });
    expect(detail.body.timeline.map((row: { event_type: string }) => row.event_type)).toContain('lead.assigned');

    const mine = await request('GET', `/api/admin/leads?assigned_to=${agent.body.id}`);
    expect(mine.body.items.map((item: { id: string }) => item.id)).toEqual([leadId]);
    const unassigned = await request('GET', '/api/admin/leads?assigned_to=none');
    expect(unassigned.body.items.map((item: { id: string }) => item.id)).toContain(other);
    expect(unassigned.body.items.map((item: { id: string }) => item.id)).not.toContain(leadId);

    const { rows } = await db.pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM lead_events WHERE conversation_id = $1 AND event_type = 'lead.assigned'`,
      [leadId],
    );
    expect(rows).toEqual([{ payload: { agent_id: agent.body.id, previous_agent_id: null, via: 'admin' } }]);

    const cleared = await request('PATCH', `/api/admin/leads/${leadId}`, { assigned_to: null });
    expect(cleared.body).toMatchObject({ assigned_to: null, previous_assigned_to: agent.body.id, assignment_changed: true });
  });

  it('when a lead is assigned to an unknown agent or with a bad id, then the answer is a 400 at assigned_to', async () => {
    const leadId = await capture();
    const unknown = await request('PATCH', `/api/admin/leads/${leadId}`, { assigned_to: '0190a000-0000-7000-8000-000000000000' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: 'assigned_to', message: 'is not an agent of this team' }]);
    const malformed = await request('PATCH', `/api/admin/leads/${leadId}`, { assigned_to: 'x' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].path).toBe('assigned_to');
    const filter = await request('GET', '/api/admin/leads?assigned_to=x');
    expect(filter.status).toBe(400);
    expect(filter.body.errors[0].path).toBe('assigned_to');
  });
});
