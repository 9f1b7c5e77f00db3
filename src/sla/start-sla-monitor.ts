import type { Logger } from 'pino';
import type { Pool } from '../db/create-pool.ts';
import { ensureQueue, JOB_HEARTBEAT_REFRESH_SECONDS, JOB_HEARTBEAT_SECONDS } from '../queue/ensure-queue.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import type { Clock } from '../shared/clock.ts';
import { breachOverdueLeads } from './breach-overdue-leads.ts';
import { listenForNewLeads } from './listen-for-new-leads.ts';
import { SLA_TIMER_QUEUE, scheduleSlaTimers, type SlaTimer, type SlaTimerJob } from './schedule-sla-timers.ts';
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
  /** How far ahead in-process timers are armed; 0 leaves precision to the durable jobs alone. */
  localTimerHorizonMs?: number | undefined;
  /** Tells the relay and the live streams, after a commit, that events were written. */
  announce?: AnnounceEvents | undefined;
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
 * pg-boss's smallest polling interval. A due timer job is not announced by NOTIFY (only jobs runnable at
 * insert are), so polling bounds the durable timers' precision at about half a second.
 */
const TIMER_POLL_SECONDS = 0.5;

/** A timer job may fire this much before Node's clock reaches it (Postgres and Node clocks differ a little). */
const MAX_EARLY_FIRE_WAIT_MS = 5_000;

/** In-process timers are armed for what falls due within this horizon (at least two sweeps ahead). */
const MIN_LOCAL_HORIZON_MS = 60_000;

/**
 * Starts the SLA monitor of this process.
 *
 * - Durable timers: every open lead has two pg-boss jobs (`startAfter` at its at-risk time and at its
 *   deadline) with ids derived from the lead, so any monitor can schedule them and they survive restarts.
 * - Precise timers: what falls due within the next two sweeps also gets an in-process `setTimeout`, so the
 *   warning lands within milliseconds rather than a polling interval; lost on exit, which the jobs cover.
 * - New leads are read from the table when a writer announces events (LISTEN on `leadline_events`); the sweep (SLA_SWEEP_INTERVAL) re-schedules
 *   recent leads (a missed NOTIFY) and warns or breaches anything overdue (a process that was down).
 *
 * Every transition is a guarded UPDATE, so any number of monitors on one database produce one warning, one
 * breach and one task per lead; several of them firing at once is harmless.
 */
export async function startSlaMonitor(deps: SlaMonitorDeps): Promise<SlaMonitor> {
  const { db, boss, clock, logger } = deps;
  const horizonMs = deps.localTimerHorizonMs ?? Math.max(MIN_LOCAL_HORIZON_MS, 2 * deps.sweepIntervalMs);
  const lookbackMs = 2 * deps.sweepIntervalMs + 10_000;
  let stopped = false;

  const act = async (ids: string[] | undefined, now: Date): Promise<{ warned: number; breached: number }> => {
    const options = ids ? { ids } : {};
    const warned = await warnAtRiskLeads(db, now, options);
    const breached = await breachOverdueLeads(db, now, options);
    if (warned.conversationIds.length > 0 || breached.conversationIds.length > 0) {
      deps.announce?.();
      logger.info({ warned: warned.conversationIds, breached: breached.conversationIds }, 'SLA warnings and breaches recorded');
    }
    return { warned: warned.conversationIds.length, breached: breached.conversationIds.length };
  };
  const actQuietly = (ids: string[]) =>
    act(ids, clock.now()).catch((error: unknown) => {
      logger.warn({ err: error }, 'SLA timer could not record its transition; the job or the sweep will retry');
    });

  const localTimers = new Map<string, NodeJS.Timeout>();
  const pendingLocal = new Set<Promise<unknown>>();
  const arm = (timers: SlaTimer[]) => {
    const now = clock.now().getTime();
    for (const timer of timers) {
      const key = `${timer.conversationId}:${timer.kind}`;
      const delay = timer.at.getTime() - now;
      // Already due: the pass that found it (a sweep) or its job acts on it; a timer each would stampede
      // after a long outage.
      if (stopped || horizonMs <= 0 || delay <= 0 || delay > horizonMs || localTimers.has(key)) continue;
      localTimers.set(
        key,
        setTimeout(() => {
          localTimers.delete(key);
          const done = actQuietly([timer.conversationId]);
          pendingLocal.add(done);
          void done.finally(() => pendingLocal.delete(done));
        }, delay),
      );
    }
  };

  await ensureQueue(boss, SLA_TIMER_QUEUE, {
    notify: true,
    heartbeatSeconds: JOB_HEARTBEAT_SECONDS,
    retryLimit: 10,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 60,
    expireInSeconds: 60,
    deleteAfterSeconds: 24 * 3600,
  });

  const workerId = await boss.work<SlaTimerJob>(
    SLA_TIMER_QUEUE,
    {
      batchSize: 50,
      pollingIntervalSeconds: TIMER_POLL_SECONDS,
      notifyPollingIntervalSeconds: TIMER_POLL_SECONDS,
      heartbeatRefreshSeconds: JOB_HEARTBEAT_REFRESH_SECONDS,
    },
    async (jobs) => {
      const latestDue = Math.max(...jobs.map((job) => Date.parse(job.data.dueAt)));
      const early = latestDue - clock.now().getTime();
      if (early > 0 && early <= MAX_EARLY_FIRE_WAIT_MS) await new Promise((resolve) => setTimeout(resolve, early));
      await act([...new Set(jobs.map((job) => job.data.conversationId))], clock.now());
    },
  );

  const listener = listenForNewLeads({
    connectionString: deps.connectionString,
    db,
    logger,
    onLeads: async (ids) => arm(await scheduleSlaTimers(db, boss, { ids })),
    onConnected: async () => arm(await scheduleSlaTimers(db, boss, { createdSince: new Date(clock.now().getTime() - lookbackMs) })),
  });

  let running: Promise<SlaSweepResult> | undefined;
  let first = true;
  const sweep = (): Promise<SlaSweepResult> => {
    running ??= (async () => {
      try {
        const now = clock.now();
        // The first pass after start-up covers every open lead: timers of leads captured while no monitor ran.
        const scheduled = await scheduleSlaTimers(db, boss, first ? { all: true } : { createdSince: new Date(now.getTime() - lookbackMs) });
        first = false;
        const upcoming = horizonMs > 0 ? await scheduleSlaTimers(db, boss, { dueBefore: new Date(now.getTime() + horizonMs) }) : [];
        arm([...scheduled, ...upcoming]);
        return { ...(await act(undefined, clock.now())), timersChecked: scheduled.length };
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
      for (const pending of localTimers.values()) clearTimeout(pending);
      localTimers.clear();
      await listener.stop();
      await boss.offWork(SLA_TIMER_QUEUE, { id: workerId, wait: true });
      await Promise.allSettled([running, ...pendingLocal]);
    },
  };
}
