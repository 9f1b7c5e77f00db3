import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, waitFor } from '../helpers/start-test-leadline.ts';
import { startSlackStub, type SlackStub } from '../stubs/start-slack-stub.ts';
import {
  adminRequest,
  SLA_LATENESS_LIMIT_MS,
  slaCounts,
  startSlaTestApp,
  startTestMonitor,
  type SlaRow,
  type SlaTestApp,
  type TestMonitor,
} from './sla-harness.ts';

let db: TestDatabase;
let slack: SlackStub;
let sla: SlaTestApp;
let monitor: TestMonitor;

beforeAll(async () => {
  db = await createTestDatabase('sla-monitor');
  slack = await startSlackStub();
  sla = await startSlaTestApp(db.url, { SLA_HOT: '6s', SLA_WARNING: '3s', SLACK_WEBHOOK_URL: slack.url, SLACK_MIN_INTERVAL: '10ms' });
  // The default 30 s sweep never runs during this test: precision must come from the timers.
  monitor = await startTestMonitor(db.url);
});
afterAll(async () => {
  await monitor?.shutdown();
  await sla?.stop();
  await slack?.close();
  await db?.drop();
});

async function slaRow(id: string): Promise<SlaRow> {
  const { rows } = await db.pool.query<SlaRow>(
    /* sql */ `SELECT sla_warning_at, sla_response_deadline, sla_warned_at, sla_breached, sla_breached_at, first_response_at, status
                 FROM conversations WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

async function eventAt(id: string, type: string): Promise<Date | undefined> {
  const { rows } = await db.pool.query<{ created_at: Date }>(
    `SELECT created_at FROM lead_events WHERE conversation_id = $1 AND event_type = $2`,
    [id, type],
  );
  return rows[0]?.created_at;
}

const slackMentions = (text: string) =>
  slack.received.some((request) => request.status === 200 && JSON.stringify(request.payload).includes(text));

describe('SLA monitor with SLA_HOT=6s and SLA_WARNING=3s', () => {
  it('when a hot lead goes unanswered, then timers set for the exact at-risk time and deadline record its task and sla.warning, then the breach, on time; the banner lists it and Slack gets both alerts', async () => {
    const captured = await postJson(`${sla.app.url}/api/leads`, {
      name: 'Hedy Lamarr',
      phone: '+14155550111',
      message: 'Burst pipe, water everywhere',
      urgency: 'emergency',
    });
    expect(captured.status).toBe(201);
    expect(captured.body.quality).toBe('hot');
    const id: string = captured.body.id;

    const created = await slaRow(id);
    expect(created.sla_response_deadline.getTime() - created.sla_warning_at.getTime()).toBe(3_000);

    const warned = await waitFor('the warning', async () => (await slaRow(id)).sla_warned_at && (await slaRow(id)), 10_000);
    // Never early; late by at most the limit explained in sla-harness.ts.
    const warningLag = warned.sla_warned_at!.getTime() - warned.sla_warning_at.getTime();
    expect(warningLag).toBeGreaterThanOrEqual(0);
    expect(warningLag).toBeLessThanOrEqual(SLA_LATENESS_LIMIT_MS);
    const warningEventAt = await eventAt(id, 'sla.warning');
    expect(warningEventAt!.getTime() - warned.sla_warning_at.getTime()).toBeGreaterThanOrEqual(0);
    expect(warningEventAt!.getTime() - warned.sla_warning_at.getTime()).toBeLessThanOrEqual(SLA_LATENESS_LIMIT_MS);

    const { rows: tasks } = await db.pool.query(
      `SELECT status, created_at, sla_deadline, follow_up_date FROM follow_up_tasks WHERE conversation_id = $1`,
      [id],
    );
    expect(tasks).toHaveLength(1);
    expect(tasks[0].status).toBe('scheduled');
    expect(tasks[0].sla_deadline).toEqual(warned.sla_response_deadline);
    expect(tasks[0].created_at.getTime() - warned.sla_warning_at.getTime()).toBeGreaterThanOrEqual(0);
    expect(tasks[0].created_at.getTime() - warned.sla_warning_at.getTime()).toBeLessThanOrEqual(SLA_LATENESS_LIMIT_MS);

    const atRisk = await adminRequest(sla.adminUrl, 'GET', '/api/admin/sla');
    expect(atRisk.status).toBe(200);
    expect(atRisk.body.leads.find((lead: { id: string }) => lead.id === id)).toMatchObject({
      id,
      sla_state: 'at_risk',
      quality: 'hot',
      task: { status: 'scheduled' },
    });

    const breached = await waitFor('the breach', async () => ((await slaRow(id)).sla_breached ? slaRow(id) : undefined), 10_000);
    const breachLag = breached.sla_breached_at!.getTime() - breached.sla_response_deadline.getTime();
    expect(breachLag).toBeGreaterThanOrEqual(0);
    expect(breachLag).toBeLessThanOrEqual(SLA_LATENESS_LIMIT_MS);
    const breachEventLag = (await eventAt(id, 'sla.breached'))!.getTime() - breached.sla_response_deadline.getTime();
    expect(breachEventLag).toBeGreaterThanOrEqual(0);
    expect(breachEventLag).toBeLessThanOrEqual(SLA_LATENESS_LIMIT_MS);
    const { rows: after } = await db.pool.query(`SELECT status, sla_breached FROM follow_up_tasks WHERE conversation_id = $1`, [id]);
    expect(after).toEqual([{ status: 'overdue', sla_breached: true }]);

    const banner = await adminRequest(sla.adminUrl, 'GET', '/api/admin/sla');
    expect(banner.body.breached).toBeGreaterThanOrEqual(1);
    expect(banner.body.leads[0]).toMatchObject({ id, sla_state: 'breached' });
    expect(banner.body.leads[0].seconds_left).toBeLessThanOrEqual(0);

    await slack.waitFor(() => slackMentions('SLA at risk') && slackMentions('SLA breached'), 10_000);
    expect(slack.received.filter((r) => JSON.stringify(r.payload).includes('SLA at risk')).length).toBe(1);
    expect(slack.received.filter((r) => JSON.stringify(r.payload).includes('SLA breached')).length).toBe(1);

    expect(await slaCounts(db.pool, id)).toEqual({
      warnings: 1,
      breaches: 1,
      tasks: 1,
      openTasks: 1,
      taskEvents: 1,
      warningTimeline: 1,
      breachTimeline: 1,
    });
  });
});
