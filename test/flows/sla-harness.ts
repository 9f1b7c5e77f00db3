/**
 * Shared set-up of the SLA flow tests: a Leadline from startTestLeadline (capture API, relay and delivery
 * when ROLE runs workers), SLA monitors started here with their own job-queue connections (so a test can
 * stop one and start another, like a process restart), and the SLA admin routes as main.ts serves them.
 */
import { createPool } from '../../src/db/create-pool.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Leadline } from '../../src/main.ts';
import { startJobQueue } from '../../src/queue/start-job-queue.ts';
import { systemClock, type Clock } from '../../src/shared/clock.ts';
import { SLA_TIMER_QUEUE, slaTimerJobId, type SlaTimerKind } from '../../src/sla/schedule-sla-timers.ts';
import { startSlaMonitor, type SlaMonitor } from '../../src/sla/start-sla-monitor.ts';
import { adminHeaders, startTestLeadline } from '../helpers/start-test-leadline.ts';

const silent = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', destination: process.stderr });

export interface TestMonitor extends SlaMonitor {
  /** Stops the monitor and its job-queue connection, as a process exit would. */
  shutdown(): Promise<void>;
}

/** A monitor as a separate process would run it: its own pg-boss instance on the same database. */
export async function startTestMonitor(
  databaseUrl: string,
  options: { sweepIntervalMs?: number; clock?: Clock; localTimerHorizonMs?: number } = {},
): Promise<TestMonitor> {
  const boss = await startJobQueue({ connectionString: databaseUrl, logger: silent, runsMaintenance: true, poolSize: 4 });
  const pool = createPool({ connectionString: databaseUrl, max: 4, applicationName: 'leadline-test-monitor' });
  const monitor = await startSlaMonitor({
    db: pool,
    boss,
    connectionString: databaseUrl,
    clock: options.clock ?? systemClock,
    logger: silent,
    sweepIntervalMs: options.sweepIntervalMs ?? 30_000,
    localTimerHorizonMs: options.localTimerHorizonMs,
  });
  let stopped: Promise<void> | undefined;
  return {
    ...monitor,
    shutdown() {
      stopped ??= (async () => {
        await monitor.stop();
        await boss.stop({ graceful: false, close: true });
        await pool.end();
      })();
      return stopped;
    },
  };
}

export interface SlaTestApp {
  app: Leadline & { url: string };
  /** Base URL that serves the SLA admin routes. */
  adminUrl: string;
  stop(): Promise<void>;
}

export async function startSlaTestApp(databaseUrl: string, env: Record<string, string>, clock: Clock = systemClock): Promise<SlaTestApp> {
  const app = await startTestLeadline(databaseUrl, env, { clock });
  return { app, adminUrl: app.url, stop: () => app.stop() };
}

/** The state of one of a lead's timer jobs ('created', 'active', 'completed', …), or null when absent. */
export async function timerJobState(app: Leadline, conversationId: string, kind: SlaTimerKind): Promise<string | null> {
  const job = await app.boss.getJobById(SLA_TIMER_QUEUE, slaTimerJobId(conversationId, kind));
  return job?.state ?? null;
}

/** When one of a lead's durable timer jobs is set to fire (its `startAfter`), or null when there is no such job. */
export async function timerJobDueAt(app: Leadline, conversationId: string, kind: SlaTimerKind): Promise<Date | null> {
  const job = await app.boss.getJobById(SLA_TIMER_QUEUE, slaTimerJobId(conversationId, kind));
  return job ? new Date(job.startAfter) : null;
}

/**
 * How long after its due time a warning or breach may be recorded. The timers aim at the due time itself (the
 * tests check a timer job's `startAfter` to the millisecond); this bounds when the transition is committed,
 * which trails by milliseconds on an idle machine but by more than a second on a loaded 2-core machine running
 * three test files at once. 2.5 s still tells a timer from the sweep (30 s here) and keeps a warning 3 s before
 * its deadline ahead of it.
 */
export const SLA_LATENESS_LIMIT_MS = 2_500;

export async function adminRequest(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any; contentType: string | null }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: adminHeaders(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed, contentType: response.headers.get('content-type') };
}

export interface SlaRow {
  sla_warning_at: Date;
  sla_response_deadline: Date;
  sla_warned_at: Date | null;
  sla_breached: boolean;
  sla_breached_at: Date | null;
  first_response_at: Date | null;
  status: string;
}

export interface SlaCounts {
  warnings: number;
  breaches: number;
  tasks: number;
  openTasks: number;
  taskEvents: number;
  warningTimeline: number;
  breachTimeline: number;
}

export async function slaCounts(pool: { query: Leadline['pool']['query'] }, conversationId: string): Promise<SlaCounts> {
  const { rows } = await pool.query(
    /* sql */ `SELECT
      (SELECT count(*)::int FROM lead_events WHERE conversation_id = $1 AND event_type = 'sla.warning') AS warnings,
      (SELECT count(*)::int FROM lead_events WHERE conversation_id = $1 AND event_type = 'sla.breached') AS breaches,
      (SELECT count(*)::int FROM follow_up_tasks WHERE conversation_id = $1) AS tasks,
      (SELECT count(*)::int FROM follow_up_tasks WHERE conversation_id = $1 AND status IN ('scheduled', 'overdue')) AS "openTasks",
      (SELECT count(*)::int FROM lead_events WHERE conversation_id = $1 AND event_type = 'task.created') AS "taskEvents",
      (SELECT count(*)::int FROM conversation_timeline WHERE conversation_id = $1 AND event_type = 'sla.warning') AS "warningTimeline",
      (SELECT count(*)::int FROM conversation_timeline WHERE conversation_id = $1 AND event_type = 'sla.breached') AS "breachTimeline"`,
    [conversationId],
  );
  return rows[0] as SlaCounts;
}
