import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leadline } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { adminHeaders, postJson, startTestLeadline, waitFor } from '../helpers/start-test-leadline.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stubs/start-webhook-receiver.ts';

let db: TestDatabase;
let app: Leadline & { url: string };
let receiver: WebhookReceiver;

beforeAll(async () => {
  db = await createTestDatabase('team_webhooks');
  receiver = await startWebhookReceiver();
  // OUTBOUND_WEBHOOK_EVENTS unset: the default set, which includes lead.assigned.
  app = await startTestLeadline(db.url, {
    RATE_LIMIT_PER_MINUTE: '100000',
    ASSIGNMENT: 'round_robin',
    OUTBOUND_WEBHOOKS: `crm=${receiver.urlFor('crm')}`,
    OUTBOUND_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
    OUTBOUND_ALLOW_PRIVATE: 'true',
  });
});
afterAll(async () => {
  await app?.stop();
  await receiver?.close();
  await db?.drop();
});

type Received = {
  type: string;
  data: { event: Record<string, unknown>; lead: { id: string; assigned_to: string | null }; assignee: unknown };
};

describe('lead.assigned on outbound webhooks (issue 15, step 7)', () => {
  it('when a lead is assigned by round robin and then claimed by hand, then each lead.assigned reaches the webhook with data.assignee', async () => {
    const agent = await postJson(`${app.url}/api/admin/agents`, { name: 'Hook Agent', email: 'hook@team.test' }, adminHeaders());
    const other = await postJson(`${app.url}/api/admin/agents`, { name: 'Other Agent', role: 'manager' }, adminHeaders());
    const captured = await postJson(`${app.url}/api/leads`, { name: 'Walt Webhook', email: 'walt@customer.test' });
    const leadId = captured.body.id as string;
    const assigned = () =>
      receiver
        .receivedBy('crm')
        .map((request) => JSON.parse(request.rawBody) as Received)
        .filter((body) => body.type === 'lead.assigned' && body.data.lead.id === leadId);
    await waitFor('the round-robin lead.assigned webhook', () => assigned().length === 1);
    expect(assigned()[0]!.data.event).toMatchObject({ agent_id: agent.body.id, previous_agent_id: null, via: 'round_robin' });
    expect(assigned()[0]!.data.assignee).toEqual({ id: agent.body.id, name: 'Hook Agent', email: 'hook@team.test', role: 'agent' });

    const patched = await fetch(`${app.url}/api/admin/leads/${leadId}`, {
      method: 'PATCH',
      headers: adminHeaders({ 'content-type': 'application/json' }),
      body: JSON.stringify({ assigned_to: other.body.id }),
    });
    expect(patched.status).toBe(200);
    await waitFor('the second lead.assigned webhook', () => assigned().length === 2);
    const second = assigned().find((body) => body.data.event['via'] === 'admin')!;
    expect(second.data.event).toMatchObject({ agent_id: other.body.id, previous_agent_id: agent.body.id });
    expect(second.data.lead.assigned_to).toBe(other.body.id);
    expect(second.data.assignee).toMatchObject({ id: other.body.id, name: 'Other Agent', role: 'manager' });
  });
});
