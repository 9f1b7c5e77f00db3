import type { HealthCheck } from './health-routes.ts';

/**
 * Remembers a check's outcome for `ttlMs`, so a load balancer probing /health/ready every second does not
 * turn into an SMTP login or a Telegram API call every second.
 */
export function cacheCheck(check: HealthCheck, ttlMs: number, now: () => number = Date.now): HealthCheck {
  let last: { at: number; error: Error | undefined } | undefined;
  let inFlight: Promise<void> | undefined;
  return async () => {
    if (!last || now() - last.at >= ttlMs) {
      inFlight ??= check()
        .then(() => {
          last = { at: now(), error: undefined };
        })
        .catch((error: unknown) => {
          last = { at: now(), error: error instanceof Error ? error : new Error(String(error)) };
        })
        .finally(() => {
          inFlight = undefined;
        });
      await inFlight;
    }
    if (last?.error) throw last.error;
  };
}
