import type { RequestHandler } from 'express';
import { rateLimit, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import { AppError } from '../shared/app-error.ts';

const WINDOW_MS = 60_000;

/**
 * The most clients one limiter remembers per window. Beyond it the oldest entry is forgotten first, so a
 * flood from ever-new addresses costs bounded memory (about 100 bytes a client) instead of growing a map
 * without end; the forgotten client merely starts counting again.
 */
export const MAX_TRACKED_CLIENTS = 100_000;

/**
 * IPv6 clients are grouped by their /56: one home or office connection is handed a /56 or /64 and can
 * rotate addresses inside it at will, so counting single addresses would let it walk around the limit.
 */
export const IPV6_SUBNET = 56;

/**
 * A fixed-window counter in memory, bounded to `maxClients` keys (a Map iterates in insertion order, which
 * makes "forget the oldest" cheap).
 */
export function createBoundedMemoryStore(maxClients: number = MAX_TRACKED_CLIENTS, now: () => number = Date.now): Store {
  let windowMs = WINDOW_MS;
  const clients = new Map<string, ClientRateLimitInfo & { resetTime: Date }>();
  const fresh = (key: string): ClientRateLimitInfo & { resetTime: Date } => {
    const entry = clients.get(key);
    if (entry && entry.resetTime.getTime() > now()) return entry;
    if (entry) clients.delete(key);
    const created = { totalHits: 0, resetTime: new Date(now() + windowMs) };
    if (clients.size >= maxClients) {
      const oldest = clients.keys().next().value;
      if (oldest !== undefined) clients.delete(oldest);
    }
    clients.set(key, created);
    return created;
  };
  return {
    localKeys: true,
    init(options: Options) {
      windowMs = options.windowMs;
    },
    get: (key) => clients.get(key),
    increment(key) {
      const entry = fresh(key);
      entry.totalHits += 1;
      return entry;
    },
    decrement(key) {
      const entry = clients.get(key);
      if (entry && entry.totalHits > 0) entry.totalHits -= 1;
    },
    resetKey(key) {
      clients.delete(key);
    },
  };
}

/**
 * At most `limit` requests a minute per client address (IPv6 grouped by subnet). The address is Express's
 * `req.ip`, which honours `X-Forwarded-For` only through TRUST_PROXY, so a client cannot pick its own key.
 * Counts are per API process: behind a load balancer with N processes a client gets up to N × the limit.
 * `countOnly: 'failed'` counts only refused requests (webhooks: a sender with bad signatures is slowed
 * down, a legitimate burst is not).
 */
export function rateLimitPerMinute(limit: number, options: { countOnly?: 'all' | 'failed'; now?: () => number } = {}): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    ipv6Subnet: IPV6_SUBNET,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: options.countOnly === 'failed',
    store: createBoundedMemoryStore(MAX_TRACKED_CLIENTS, options.now),
    // Its start-up checks print to the console, outside our JSON log; TRUST_PROXY is documented instead.
    validate: false,
    handler: (req, _res, next) => {
      const resetTime = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfterSeconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
      next(
        new AppError('rate_limited', `more than ${limit} requests a minute from this address; retry after ${retryAfterSeconds} s`, {
          retryAfterSeconds,
        }),
      );
    },
  });
}
