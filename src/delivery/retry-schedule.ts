/**
 * Waits after a transient failure, before attempt 2, 3, … 8: eight attempts over about an hour, so a
 * provider outage of up to an hour (a deploy, a Slack incident) costs no alert. Each wait gets ±20% jitter
 * so a backlog does not retry in lockstep.
 */
export const RETRY_DELAYS_MS = [10_000, 30_000, 60_000, 3 * 60_000, 7 * 60_000, 15 * 60_000, 30 * 60_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** Delay before the next attempt, after `tries` transient failures (1-based); undefined once exhausted. */
export function nextRetryDelayMs(tries: number, random: () => number = Math.random): number | undefined {
  const base = RETRY_DELAYS_MS[tries - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (0.8 + 0.4 * random()));
}
