import type { RequestHandler } from 'express';
import { AppError } from '../shared/app-error.ts';

/**
 * A fixed one-minute window per client IP, in memory. Each API process counts on its own; behind a load
 * balancer with N API processes a client gets at most N × the limit (documented in the README).
 */
export function rateLimitPerMinute(limit: number, now: () => number = Date.now): RequestHandler {
  const windowMs = 60_000;
  let windowStart = 0;
  let counts = new Map<string, number>();
  return (req, _res, next) => {
    const time = now();
    if (time - windowStart >= windowMs) {
      windowStart = time - (time % windowMs);
      counts = new Map();
    }
    const ip = req.ip ?? 'unknown';
    const count = (counts.get(ip) ?? 0) + 1;
    counts.set(ip, count);
    if (count > limit) {
      const retryAfterSeconds = Math.ceil((windowStart + windowMs - time) / 1000);
      next(new AppError('rate_limited', `more than ${limit} requests a minute from this address; retry after ${retryAfterSeconds} s`, { retryAfterSeconds }));
      return;
    }
    next();
  };
}
