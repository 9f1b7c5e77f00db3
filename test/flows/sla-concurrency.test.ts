import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { postJson, waitFor } from '../helpers/start-test-leadline.ts';
import { startSlaTestApp, startTestMonitor, type SlaTestApp, type TestMonitor } from './sla-harness.ts';

let db: TestDatabase;
let sla: SlaTestApp;
let monitors: TestMonitor[] = [];

const LEADS = 20;

beforeAll(async () => {
  db = await createTestDatabase('sla-concurrency');
  sla = await startSlaTestApp(db.url, { ROLE: 'api', SLA_HOT: '4s', SLA_WARNING: '2s', RATE_LIMIT_PER_MINUTE: '10000' });
  // Three monitors, each with its own job-queue connection, sweeping every 200 ms so that sweeps, durable
  // timers and in-process timers of all three race for the same leads.
  monitors = await Promise.all([0, 1, 2].map(() => startTestMonitor(db.url, { sweepIntervalMs: 200 })));
});
afterAll(async () => {
  for (const monitor of monitors) await monitor.shutdown().catch(() => {});
  await sla?.stop();
  await db?.drop();
});

describe('three SLA monitors on one database', () => {
  it('when 20 hot leads go unanswered, then each gets exactly one warning, one breach, one task and one timeline row of each', async () => {
    const responses = await Promise.all(
      Array.from({ length: LEADS }, (_, i) =>
        postJson(`${sla.app.url}/api/leads`, { name: `Racer ${i}`, phone: `+1415555${String(1000 + i)}`, urgency: 'high' }),
      ),
    );
    const ids = responses.map((response) => {
      expect(response.status).toBe(201);
      return response.body.id as string;
    });

    await waitFor(
      'every lead to breach',
      async () =>
        (await db.pool.query(`SELECT count(*)::int AS n FROM conversations WHERE id = ANY($1) AND sla_breached`, [ids])).rows[0].n ===
        LEADS,
      20_000,
    );
    // Let every monitor run at least one more sweep over the breached leads.
    await Promise.all(monitors.map((monitor) => monitor.sweep()));

    const { rows } = await db.pool.query(
      /* sql */ `SELECT c.id,
                        (SELECT count(*)::int FROM lead_events e WHERE e.conversation_id = c.id AND e.event_type = 'sla.warning') AS warnings,
                        (SELECT count(*)::int FROM lead_events e WHERE e.conversation_id = c.id AND e.event_type = 'sla.breached') AS breaches,
                        (SELECT count(*)::int FROM lead_events e WHERE e.conversation_id = c.id AND e.event_type = 'task.created') AS task_events,
                        (SELECT count(*)::int FROM follow_up_tasks t WHERE t.conversation_id = c.id) AS tasks,
                        (SELECT count(*)::int FROM follow_up_tasks t WHERE t.conversation_id = c.id AND t.status IN ('scheduled', 'overdue')) AS open_tasks,
                        (SELECT count(*)::int FROM conversation_timeline l WHERE l.conversation_id = c.id AND l.event_type = 'sla.warning') AS warning_rows,
                        (SELECT count(*)::int FROM conversation_timeline l WHERE l.conversation_id = c.id AND l.event_type = 'sla.breached') AS breach_rows
                   FROM conversations c WHERE c.id = ANY($1)`,
      [ids],
    );
    expect(rows).toHaveLength(LEADS);
    for (const row of rows) {
      expect(row).toEqual({
        id: row.id,
        warnings: 1,
        breaches: 1,
        task_events: 1,
        tasks: 1,
        open_tasks: 1,
        warning_rows: 1,
        breach_rows: 1,
      });
    }
  });
});
