import type { ChannelErrorKind } from '../channels/channel.ts';
import { MAX_ATTEMPTS, nextRetryDelayMs } from './retry-schedule.ts';

export interface FailedAttempt {
  logId: string;
  eventId: string;
  round: number;
  /** Attempts spent on transient errors before this one. */
  tries: number;
}

export interface PlannedRetry {
  logId: string;
  eventId: string;
  round: number;
  /** Tries spent after this failure (a rate limit spends none). */
  tries: number;
  /** When to try again; undefined = the delivery is dead (a dead letter). */
  nextAttemptAt: Date | undefined;
}

/** Used when a provider rate-limits without saying how long to wait. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/**
 * What happens to the attempts of one failed message: a rate limit waits the provider's time without
 * spending an attempt; a transient error backs off (with jitter) until MAX_ATTEMPTS, then dies; a permanent
 * error dies at once (retrying the same payload cannot succeed).
 */
export function planFailedAttempts(
  attempts: readonly FailedAttempt[],
  failure: { kind: ChannelErrorKind; retryAfterMs?: number | undefined },
  now: Date,
  random: () => number = Math.random,
): PlannedRetry[] {
  const nowMs = now.getTime();
  return attempts.map((attempt) => {
    const base = { logId: attempt.logId, eventId: attempt.eventId, round: attempt.round };
    if (failure.kind === 'permanent') return { ...base, tries: attempt.tries + 1, nextAttemptAt: undefined };
    if (failure.kind === 'rate_limited') {
      return { ...base, tries: attempt.tries, nextAttemptAt: new Date(nowMs + (failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS)) };
    }
    const tries = attempt.tries + 1;
    const delay = tries < MAX_ATTEMPTS ? nextRetryDelayMs(tries, random) : undefined;
    return { ...base, tries, nextAttemptAt: delay === undefined ? undefined : new Date(nowMs + delay) };
  });
}
