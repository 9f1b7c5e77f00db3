import type { Logger } from 'pino';

/** A cause that keeps failing is logged again at most this often, with the count of repeats in between. */
const REPEAT_INTERVAL_MS = 60_000;

/** The most causes remembered; the oldest is forgotten first (an unbounded map would leak on varied errors). */
const MAX_CAUSES = 100;

/**
 * Logs an error the first time its cause (code and message) is seen, then at most once a minute with the
 * number of repeats. A database that is away makes every tick of every loop fail the same way; one line per
 * cause tells the operator what is wrong without drowning the log.
 */
export function logOncePerCause(
  logger: Pick<Logger, 'warn'>,
  message: string,
  now: () => number = Date.now,
): (error: unknown, context?: Record<string, unknown>) => void {
  const seen = new Map<string, { loggedAt: number; repeats: number }>();
  return (error, context = {}) => {
    const cause = causeOf(error);
    const time = now();
    const entry = seen.get(cause);
    if (entry && time - entry.loggedAt < REPEAT_INTERVAL_MS) {
      entry.repeats += 1;
      return;
    }
    if (!entry && seen.size >= MAX_CAUSES) {
      const oldest = seen.keys().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
    const repeats = entry?.repeats ?? 0;
    seen.set(cause, { loggedAt: time, repeats: 0 });
    logger.warn({ ...context, err: error, ...(repeats > 0 ? { repeatsSinceLastLog: repeats } : {}) }, message);
  };
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as Error & { code?: unknown }).code;
  return `${typeof code === 'string' ? code : ''}:${error.message}`;
}
