import type { Logger } from 'pino';
import type { Pool } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import type { Clock } from '../shared/clock.ts';
import { breachOverdueLeads } from './breach-overdue-leads.ts';
import { listenForNewLeads } from './listen-for-new-leads.ts';
import { SLA_TIMER_QUEUE, scheduleSlaTimers, type SlaTimerJob } from './schedule-sla-timers.ts';
import { warnAtRiskLeads } from './warn-at-risk-leads.ts';

export interface SlaMonitorDeps {
  db: Pool;
  boss: JobQueue;
  /** For the dedicated LISTEN connection that hears about new leads. */
  connectionString: string;
  clock: Clock;
  logger: Logger;
  /** SLA_SWEEP_INTERVAL: the safety net that warns and breaches whatever a timer missed. */
  sweepIntervalMs: number;
}

export interface SlaSweepResult {
  warned: number;
  breached: number;
  timersChecked: number;
}

export interface SlaMonitor {
  /** Runs one safety-net pass now (also what the interval runs). */
  sweep(): Promise<SlaSweepResult>;
  stop(): Promise<void>;
}

/*
 * pg-boss's smallest polling interval. A due timer job is not announced by NOTIFY (only jobs that are
 * runnable at insert are), so polling decides precision: a warning lands at most ~0.5 s after its time,
 * inside the 1 s the SLA promise allows.
 */
const TIMER_POLL_SECONDS = 0.5;

/** A timer may fire this much before Node's clock reaches it (Postgres and Node clocks differ a little). */
const MAX_EARLY_FIRE_WAIT_MS = 5_000;

/**
 * Starts the SLA monitor of this process. New leads get two durable timers (pg-boss jobs with
 * `startAfter` at the at-risk time and at the deadline), found through LISTEN on `leadline_events`; the
 * periodic sweep re-schedules timers for recent leads (a missed NOTIFY) and warns or breaches anything
 * overdue (a lost timer, a process that was down). Every transition is a guarded UPDATE, so any number of
 * monitors on one database produce one warning, one breach and one task per lead.
 */
export async function startSlaMonitor(deps: SlaMonitorDeps): Promise<SlaMonitor> {
  const { db, boss, clock, logger } = deps;
  let stopped = false;

  const act = async (ids: string[] | undefined, now: Date): Promise<{ warned: number; breached: number }> => {
    const options = ids ? { ids } : {};
    const warned = await warnAtRiskLeads(db, now, options);
    const breached = await breachOverdueLeads(db, now, options);
    if (warned.conversationIds.length > 0 || breached.conversationIds.length > 0) {
      logger.info({ warned: warned.conversationIds, breached: breached.conversationIds }, 'SLA warnings and breaches recorded');
    }
    return { warned: warned.conversationIds.length, breached: breached.conversationIds.length };
  };

  await boss.createQueue(SLA_TIMER_QUEUE, {
    notify: true,
    retryLimit: 10,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    expireInSeconds: 60,
    deleteAfterSeconds: 24 * 3600,
  });

  const workerId = await boss.work<SlaTimerJob>(
    SLA_TIMER_QUEUE,
    { batchSize: 50, pollingIntervalSeconds: TIMER_POLL_SECONDS, notifyPollingIntervalSeconds: TIMER_POLL_SECONDS },
    async (jobs) => {
      const latestDue = Math.max(...jobs.map((job) => Date.parse(job.data.dueAt)));
      const early = latestDue - clock.now().getTime();
      if (early > 0 && early <= MAX_EARLY_FIRE_WAIT_MS) await new Promise((resolve) => setTimeout(resolve, early));
      await act([...new Set(jobs.map((job) => job.data.conversationId))], clock.now());
    },
  );

  const lookbackMs = () => 2 * deps.sweepIntervalMs + 10_000;
  const listener = listenForNewLeads({
    connectionString: deps.connectionString,
    logger,
    onLeads: async (ids) => {
      await scheduleSlaTimers(db, boss, { ids });
    },
    onConnected: async () => {
      await scheduleSlaTimers(db, boss, { createdSince: new Date(clock.now().getTime() - lookbackMs()) });
    },
  });

  let running: Promise<SlaSweepResult> | undefined;
  let first = true;
  const sweep = (): Promise<SlaSweepResult> => {
    running ??= (async () => {
      try {
        // The first pass after start-up covers every open lead: timers of leads captured while no monitor ran.
        const selection = first ? ({ all: true } as const) : { createdSince: new Date(clock.now().getTime() - lookbackMs()) };
        const timersChecked = await scheduleSlaTimers(db, boss, selection);
        first = false;
        return { ...(await act(undefined, clock.now())), timersChecked };
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(() => {
      sweep()
        .catch((error: unknown) => logger.error({ err: error }, 'SLA sweep failed; retrying at the next interval'))
        .finally(() => {
          if (!stopped) loop();
        });
    }, deps.sweepIntervalMs);
  };

  try {
    await sweep();
  } catch (error) {
    logger.error({ err: error }, 'first SLA sweep failed; retrying at the next interval');
  }
  loop();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await listener.stop();
      await boss.offWork(SLA_TIMER_QUEUE, { id: workerId, wait: true });
      await running?.catch(() => undefined);
    },
  };
}
