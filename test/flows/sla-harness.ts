/**
 * Shared set-up of the SLA flow tests: a Leadline from startTestLeadline (capture API, relay and delivery
 * when ROLE runs workers), SLA monitors started here with their own connections (so a test can stop one and
 * start another, like a process restart), and the SLA admin routes as main.ts serves them.
 */
import { createPool } from '../../src/db/create-pool.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Leadline } from '../../src/main.ts';
import { systemClock, type Clock } from '../../src/shared/clock.ts';
import { startSlaMonitor, type SlaMonitor } from '../../src/sla/start-sla-monitor.ts';
import { adminHeaders, startTestLeadline } from '../helpers/start-test-leadline.ts';

const silent = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', destination: process.stderr });

export interface TestMonitor extends SlaMonitor {
  /** Stops the monitor and its connections, as a process exit would. */
  shutdown(): Promise<void>;
}

/** A monitor as a separate process would run it: its own connections to the same database. */
export async function startTestMonitor(
  databaseUrl: string,
  options: { sweepIntervalMs?: number; clock?: Clock } = {},
): Promise<TestMonitor> {
  const pool = createPool({ connectionString: databaseUrl, max: 4, applicationName: 'leadline-test-monitor' });
  const monitor = await startSlaMonitor({
    db: pool,
    clock: options.clock ?? systemClock,
    logger: silent,
    // SLA_SWEEP_INTERVAL's default.
    sweepIntervalMs: options.sweepIntervalMs ?? 1_000,
  });
  let stopped: Promise<void> | undefined;
  return {
    ...monitor,
    shutdown() {
      stopped ??= (async () => {
        await monitor.stop();
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

/**
 * How long after its due time a warning or breach may be recorded: one sweep interval (1 s) plus the pass
 * itself, which takes milliseconds on an idle machine but more than a second on a loaded 2-core machine running
 * three test files at once. 2.5 s still keeps a warning 3 s before its deadline ahead of the breach.
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
