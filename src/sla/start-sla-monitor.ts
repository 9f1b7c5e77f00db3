import type { Logger } from 'pino';
import type { Pool } from '../db/create-pool.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import type { Clock } from '../shared/clock.ts';
import { breachOverdueLeads } from './breach-overdue-leads.ts';
import { warnAtRiskLeads } from './warn-at-risk-leads.ts';

export interface SlaMonitorDeps {
  db: Pool;
  clock: Clock;
  logger: Logger;
  /** SLA_SWEEP_INTERVAL: how often due warnings and breaches are looked for (the most they can be late). */
  sweepIntervalMs: number;
  /** Tells the relay and the live streams, after a commit, that events were written. */
  announce?: AnnounceEvents | undefined;
}

export interface SlaSweepResult {
  warned: number;
  breached: number;
}

export interface SlaMonitor {
  /** Runs one pass now (also what the interval runs). */
  sweep(): Promise<SlaSweepResult>;
  stop(): Promise<void>;
}

/**
 * Starts the SLA monitor of this process: every SLA_SWEEP_INTERVAL (1 s by default) one pass warns the
 * unanswered leads whose at-risk time has passed and breaches those past their deadline. Each lead's times
 * are stored at capture (business hours included), so a pass is two indexed range queries over the open
 * leads that are due, whatever the number of leads waiting: nothing is scheduled per lead, so capture costs
 * the monitor nothing and a restart or a process that was down loses nothing (the next pass finds what is due).
 *
 * Every transition is a guarded UPDATE, so any number of monitors on one database produce one warning, one
 * breach and one task per lead.
 */
export async function startSlaMonitor(deps: SlaMonitorDeps): Promise<SlaMonitor> {
  const { db, clock, logger } = deps;
  let stopped = false;

  let running: Promise<SlaSweepResult> | undefined;
  const sweep = (): Promise<SlaSweepResult> => {
    running ??= (async () => {
      try {
        const now = clock.now();
        const warned = await warnAtRiskLeads(db, now);
        const breached = await breachOverdueLeads(db, now);
        if (warned.conversationIds.length > 0 || breached.conversationIds.length > 0) {
          deps.announce?.();
          logger.info(
            { warned: warned.conversationIds.length, breached: breached.conversationIds.length },
            'SLA warnings and breaches recorded',
          );
        }
        return { warned: warned.conversationIds.length, breached: breached.conversationIds.length };
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const reportFailure = (error: unknown) => logger.error({ err: error }, 'SLA pass failed; retrying at the next interval');
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(() => {
      sweep()
        .catch(reportFailure)
        .finally(() => {
          if (!stopped) loop();
        });
    }, deps.sweepIntervalMs);
  };

  // The first pass runs before start-up resolves: what fell due while no monitor ran is acted on at once.
  await sweep().catch(reportFailure);
  loop();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
