import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, waitFor } from '../helpers/start-test-leadline.ts';
import { adminRequest, slaCounts, startSlaTestApp, startTestMonitor, type SlaTestApp, type TestMonitor } from './sla-harness.ts';

let db: TestDatabase;
let sla: SlaTestApp;
let monitor: TestMonitor;

beforeAll(async () => {
  db = await createTestDatabase('sla-respond');
  sla = await startSlaTestApp(db.url, { ROLE: 'api', SLA_HOT: '6s', SLA_WARNING: '3s', RATE_LIMIT_PER_MINUTE: '10000' });
  monitor = await startTestMonitor(db.url);
});
afterAll(async () => {
  await monitor?.shutdown();
  await sla?.stop();
  await db?.drop();
});

let counter = 0;
async function captureHotLead(): Promise<string> {
  counter += 1;
  const response = await postJson(`${sla.app.url}/api/leads`, {
    name: `Lead ${counter}`,
    phone: `+1415555${2000 + counter}`,
    message: 'Need help asap',
    urgency: 'high',
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/** The deadline passed and a pass ran after it: from here on nothing would ever warn or breach the lead. */
async function waitPastTheDeadline(id: string): Promise<void> {
  const { rows } = await db.pool.query<{ deadline: Date }>(`SELECT sla_response_deadline AS deadline FROM conversations WHERE id = $1`, [
    id,
  ]);
  const deadline = rows[0]!.deadline.getTime();
  await waitFor('the deadline to pass', () => Date.now() > deadline + 100, 15_000);
  await monitor.sweep();
}

async function events(id: string): Promise<{ event_type: string; processed: boolean }[]> {
  const { rows } = await db.pool.query(
    `SELECT event_type, processed_at IS NOT NULL AS processed FROM lead_events WHERE conversation_id = $1 ORDER BY id`,
    [id],
  );
  return rows;
}

describe('responding to leads', () => {
  it('when a hot lead is answered within 2 s, then it never warns or breaches and the response is recorded once', async () => {
    const id = await captureHotLead();
    const answered = await adminRequest(sla.adminUrl, 'POST', `/api/admin/leads/${id}/respond`, {
      note: 'Called back, booked a visit',
      responder: 'sam',
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ id, status: 'contacted', within_sla: true, sla_breached: false, completed_task_ids: [] });

    const again = await adminRequest(sla.adminUrl, 'POST', `/api/admin/leads/${id}/respond`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, already_responded: true, first_response_at: answered.body.first_response_at });

    await waitPastTheDeadline(id);
    expect(await slaCounts(db.pool, id)).toEqual({
      warnings: 0,
      breaches: 0,
      tasks: 0,
      openTasks: 0,
      taskEvents: 0,
      warningTimeline: 0,
      breachTimeline: 0,
    });
    // Facts for the relay (an outbound webhook may want them); this API-only process runs none, so they wait.
    expect(await events(id)).toEqual([
      { event_type: 'lead.created', processed: false },
      { event_type: 'lead.responded', processed: false },
    ]);
    const { rows: timeline } = await db.pool.query(
      `SELECT title, description, actor_type, actor_id FROM conversation_timeline WHERE conversation_id = $1 AND event_type = 'lead.responded'`,
      [id],
    );
    expect(timeline).toEqual([
      { title: 'Lead answered within the SLA', description: 'Called back, booked a visit', actor_type: 'agent', actor_id: 'sam' },
    ]);
    const { rows: audit } = await db.pool.query(`SELECT action, target_id FROM audit_log WHERE target_id = $1 ORDER BY id`, [id]);
    expect(audit).toEqual([
      { action: 'lead.respond', target_id: id },
      { action: 'lead.respond', target_id: id },
    ]);
    const banner = await adminRequest(sla.adminUrl, 'GET', '/api/admin/sla');
    expect(banner.body.leads.map((lead: { id: string }) => lead.id)).not.toContain(id);
  });

  it('when a hot lead is moved away from new within 2 s, then that counts as the response and it never warns or breaches', async () => {
    const id = await captureHotLead();
    const patched = await adminRequest(sla.adminUrl, 'PATCH', `/api/admin/leads/${id}`, { status: 'qualified' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id,
      status: 'qualified',
      previous_status: 'new',
      changed: true,
      responded: true,
      first_response_at: expect.any(String),
    });

    const back = await adminRequest(sla.adminUrl, 'PATCH', `/api/admin/leads/${id}`, { status: 'new' });
    expect(back.body).toMatchObject({ status: 'new', changed: true, responded: false, first_response_at: patched.body.first_response_at });

    await waitPastTheDeadline(id);
    expect(await slaCounts(db.pool, id)).toMatchObject({ warnings: 0, breaches: 0, tasks: 0 });
    expect((await events(id)).map((e) => e.event_type)).toEqual([
      'lead.created',
      'lead.status_changed',
      'lead.responded',
      'lead.status_changed',
    ]);
  });

  it('when a warned lead is answered before its deadline, then its task completes and it never breaches', async () => {
    const id = await captureHotLead();
    await waitFor('the warning', async () => (await slaCounts(db.pool, id)).warnings === 1, 10_000);
    const open = await adminRequest(sla.adminUrl, 'GET', '/api/admin/tasks');
    const task = open.body.tasks.find((t: { conversation_id: string }) => t.conversation_id === id);
    expect(task).toMatchObject({ status: 'scheduled', kind: 'sla_follow_up', lead: { quality: 'hot', source: 'api' } });

    const answered = await adminRequest(sla.adminUrl, 'POST', `/api/admin/leads/${id}/respond`, {});
    expect(answered.body).toMatchObject({ within_sla: true, completed_task_ids: [task.id] });
    await waitPastTheDeadline(id);
    expect(await slaCounts(db.pool, id)).toEqual({
      warnings: 1,
      breaches: 0,
      tasks: 1,
      openTasks: 0,
      taskEvents: 1,
      warningTimeline: 1,
      breachTimeline: 0,
    });
    const done = await adminRequest(sla.adminUrl, 'GET', `/api/admin/tasks?status=completed&lead=${id}`);
    expect(done.body.tasks).toEqual([expect.objectContaining({ id: task.id, status: 'completed', completed_by: 'admin' })]);
    expect((await events(id)).map((e) => e.event_type)).toContain('task.completed');
  });

  it('when a breached lead’s task is completed by hand, then it is completed once and a later response is outside the SLA', async () => {
    const id = await captureHotLead();
    await waitFor('the breach', async () => (await slaCounts(db.pool, id)).breaches === 1, 12_000);
    const overdue = await adminRequest(sla.adminUrl, 'GET', '/api/admin/tasks?status=overdue');
    const task = overdue.body.tasks.find((t: { conversation_id: string }) => t.conversation_id === id);
    expect(task).toMatchObject({ status: 'overdue', sla_breached: true });

    const completed = await adminRequest(sla.adminUrl, 'POST', `/api/admin/tasks/${task.id}/complete`, { completed_by: 'kim' });
    expect(completed.status).toBe(200);
    expect(completed.body.task).toMatchObject({ id: task.id, status: 'completed', completed_by: 'kim' });
    const twice = await adminRequest(sla.adminUrl, 'POST', `/api/admin/tasks/${task.id}/complete`);
    expect(twice.body).toMatchObject({ already_done: true, task: { status: 'completed', completed_by: 'kim' } });

    const late = await adminRequest(sla.adminUrl, 'POST', `/api/admin/leads/${id}/respond`);
    expect(late.body).toMatchObject({ within_sla: false, sla_breached: true, completed_task_ids: [] });
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM lead_events WHERE conversation_id = $1 AND event_type = 'task.completed'`,
      [id],
    );
    expect(rows[0].n).toBe(1);
  });

  describe('bad requests', () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cases: { name: string; method: string; path: string; body?: unknown; status: number; path_?: string }[] = [
      {
        name: 'a lead id that is not a UUID',
        method: 'PATCH',
        path: '/api/admin/leads/42',
        body: { status: 'lost' },
        status: 400,
        path_: 'id',
      },
      {
        name: 'an unknown status',
        method: 'PATCH',
        path: `/api/admin/leads/${unknown}`,
        body: { status: 'won' },
        status: 400,
        path_: 'status',
      },
      {
        name: 'an unknown field',
        method: 'PATCH',
        path: `/api/admin/leads/${unknown}`,
        body: { status: 'lost', sla_breached: false },
        status: 400,
        path_: 'sla_breached',
      },
      { name: 'a missing status', method: 'PATCH', path: `/api/admin/leads/${unknown}`, body: {}, status: 400, path_: 'status' },
      { name: 'an unknown lead', method: 'PATCH', path: `/api/admin/leads/${unknown}`, body: { status: 'lost' }, status: 404 },
      { name: 'responding to an unknown lead', method: 'POST', path: `/api/admin/leads/${unknown}/respond`, status: 404 },
      {
        name: 'a responder that is not text',
        method: 'POST',
        path: `/api/admin/leads/${unknown}/respond`,
        body: { responder: 7 },
        status: 400,
        path_: 'responder',
      },
      { name: 'an unknown task filter', method: 'GET', path: '/api/admin/tasks?status=later', status: 400, path_: 'status' },
      { name: 'a task id that is not a number', method: 'POST', path: '/api/admin/tasks/abc/complete', status: 400, path_: 'id' },
      { name: 'an unknown task', method: 'POST', path: '/api/admin/tasks/999999/complete', status: 404 },
    ];
    for (const { name, method, path, body, status, path_ } of cases) {
      it(`when the request has ${name}, then ${status} problem+json${path_ ? ` naming ${path_}` : ''}`, async () => {
        const response = await adminRequest(sla.adminUrl, method, path, body);
        expect(response.status).toBe(status);
        expect(response.contentType).toMatch(/^application\/problem\+json/);
        // A 400 names the field; a 404 is about the whole request and lists no fields.
        expect(response.body.errors).toEqual(path_ ? expect.arrayContaining([expect.objectContaining({ path: path_ })]) : undefined);
      });
    }

    it('when the admin key is missing, then 401', async () => {
      const response = await fetch(`${sla.adminUrl}/api/admin/sla`);
      expect(response.status).toBe(401);
    });
  });
});
