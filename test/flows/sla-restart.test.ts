import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, waitFor } from '../helpers/start-test-leadline.ts';
import {
  SLA_LATENESS_LIMIT_MS,
  slaCounts,
  startSlaTestApp,
  startTestMonitor,
  type SlaRow,
  type SlaTestApp,
  type TestMonitor,
} from './sla-harness.ts';

let db: TestDatabase;
let sla: SlaTestApp;
const monitors: TestMonitor[] = [];

beforeAll(async () => {
  db = await createTestDatabase('sla-restart');
  // The API role only: no monitor runs in the app itself, so the monitors below are the only ones.
  sla = await startSlaTestApp(db.url, { ROLE: 'api', SLA_HOT: '6s', SLA_WARNING: '3s' });
});
afterAll(async () => {
  for (const monitor of monitors) await monitor.shutdown().catch(() => {});
  await sla?.stop();
  await db?.drop();
});

async function monitor(options: Parameters<typeof startTestMonitor>[1] = {}): Promise<TestMonitor> {
  const started = await startTestMonitor(db.url, options);
  monitors.push(started);
  return started;
}

async function slaRow(id: string): Promise<SlaRow> {
  const { rows } = await db.pool.query<SlaRow>(
    `SELECT sla_warning_at, sla_response_deadline, sla_warned_at, sla_breached, sla_breached_at, first_response_at, status FROM conversations WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

async function captureHotLead(name: string): Promise<string> {
  const response = await postJson(`${sla.app.url}/api/leads`, {
    name,
    email: `${name.toLowerCase().replace(/\W/g, '')}@example.com`,
    urgency: 'emergency',
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

describe('SLA monitor restarts', () => {
  it('when the monitor that was running stops before the at-risk time and a new one starts, then the new one warns and breaches on time, once', async () => {
    const first = await monitor();
    const id = await captureHotLead('Restart Before Warning');
    const due = await slaRow(id);
    expect(Date.now()).toBeLessThan(due.sla_warning_at.getTime());
    await first.shutdown();
    await monitor();

    // Never early; late by at most the limit explained in sla-harness.ts.
    const warned = await waitFor('the warning', async () => ((await slaRow(id)).sla_warned_at ? slaRow(id) : undefined), 10_000);
    expect(warned.sla_warned_at!.getTime() - warned.sla_warning_at.getTime()).toBeGreaterThanOrEqual(0);
    expect(warned.sla_warned_at!.getTime() - warned.sla_warning_at.getTime()).toBeLessThanOrEqual(SLA_LATENESS_LIMIT_MS);
    const breached = await waitFor('the breach', async () => ((await slaRow(id)).sla_breached ? slaRow(id) : undefined), 10_000);
    expect(breached.sla_breached_at!.getTime() - breached.sla_response_deadline.getTime()).toBeGreaterThanOrEqual(0);
    expect(breached.sla_breached_at!.getTime() - breached.sla_response_deadline.getTime()).toBeLessThanOrEqual(SLA_LATENESS_LIMIT_MS);
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

  it('when no monitor runs at the at-risk time, then the next one to start warns at once and still breaches at the deadline', async () => {
    // The monitors of the test before are still running: stop them, or one of them would do the warning.
    for (const running of monitors.splice(0)) await running.shutdown();
    const before = await monitor();
    const id = await captureHotLead('Nobody Watching');
    await before.shutdown();
    const { sla_warning_at: warningAt } = await slaRow(id);
    await waitFor('the at-risk time to pass with no monitor running', () => Date.now() > warningAt.getTime() + 300, 10_000);
    expect((await slaRow(id)).sla_warned_at).toBeNull();

    const startedAt = Date.now();
    await monitor();
    const warned = await slaRow(id);
    // The start-up sweep runs before startSlaMonitor resolves.
    expect(warned.sla_warned_at).not.toBeNull();
    expect(warned.sla_warned_at!.getTime()).toBeGreaterThanOrEqual(startedAt - 50);

    const breached = await waitFor('the breach', async () => ((await slaRow(id)).sla_breached ? slaRow(id) : undefined), 10_000);
    expect(breached.sla_breached_at!.getTime() - breached.sla_response_deadline.getTime()).toBeGreaterThanOrEqual(0);
    expect(breached.sla_breached_at!.getTime() - breached.sla_response_deadline.getTime()).toBeLessThanOrEqual(SLA_LATENESS_LIMIT_MS);
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

  it('when a lead is captured while no monitor runs at all and the deadline passes, then the next monitor breaches it without a late warning', async () => {
    for (const running of monitors.splice(0)) await running.shutdown();
    const id = await captureHotLead('Captured While Down');
    const { sla_response_deadline: deadline } = await slaRow(id);
    await waitFor('the deadline to pass with no monitor running', () => Date.now() > deadline.getTime() + 300, 15_000);

    await monitor();
    const row = await slaRow(id);
    expect(row.sla_breached).toBe(true);
    expect(row.sla_warned_at).toBeNull();
    const { rows } = await db.pool.query(`SELECT status, sla_breached FROM follow_up_tasks WHERE conversation_id = $1`, [id]);
    expect(rows).toEqual([{ status: 'overdue', sla_breached: true }]);
    expect(await slaCounts(db.pool, id)).toEqual({
      warnings: 0,
      breaches: 1,
      tasks: 1,
      openTasks: 1,
      taskEvents: 1,
      warningTimeline: 0,
      breachTimeline: 1,
    });
  });
});
