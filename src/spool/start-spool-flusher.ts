import type { Logger } from 'pino';
import { logOncePerCause } from '../logging/log-once-per-cause.ts';
import type { Spool } from './open-spool.ts';

const FLUSH_INTERVAL_MS = 1_000;
const ADOPT_INTERVAL_MS = 10_000;

/**
 * Writes spooled leads to the database as soon as it answers: every second while the spool holds leads
 * (oldest first), and at start-up, where a previous run's leads are flushed before anything else waits on
 * them. Every ten seconds it also adopts the spool of a process on this host that died.
 */
export function startSpoolFlusher<T>(deps: { spool: Spool<T>; store: (record: T) => Promise<void>; logger: Logger }): {
  /** Flushes now (tests, shutdown); resolves when the pass ends. */
  flushNow(): Promise<void>;
  stop(): Promise<void>;
} {
  const reportFailure = logOncePerCause(deps.logger, 'spooled leads could not be written yet; retrying every second');
  let running: Promise<void> | undefined;
  let lastAdoptAt = Date.now();
  let stopped = false;

  const pass = async () => {
    try {
      if (Date.now() - lastAdoptAt >= ADOPT_INTERVAL_MS) {
        lastAdoptAt = Date.now();
        const adopted = await deps.spool.adoptDeadOwners();
        if (adopted > 0) deps.logger.warn({ segments: adopted }, 'adopted the spool of a process that stopped');
      }
      if (deps.spool.pendingCount() === 0) return;
      const { stored, remaining } = await deps.spool.flush(deps.store);
      if (stored > 0) deps.logger.info({ stored, remaining }, 'spooled leads written to the database');
    } catch (error) {
      reportFailure(error, { waiting: deps.spool.pendingCount() });
    }
  };
  const flushNow = (): Promise<void> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void flushNow();
  }, FLUSH_INTERVAL_MS);
  timer.unref();
  void flushNow();

  return {
    flushNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
