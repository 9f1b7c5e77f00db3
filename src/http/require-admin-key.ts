import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../shared/app-error.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** True when the query string has a `key` parameter, whatever its value (even empty). */
function hasKeyInQuery(originalUrl: string): boolean {
  const query = originalUrl.indexOf('?');
  return query >= 0 && new URLSearchParams(originalUrl.slice(query + 1)).has('key');
}

/**
 * Bearer `ADMIN_API_KEY`, compared in constant time (hashing first makes the lengths equal). The key is
 * never accepted in a URL: URLs end up in access logs, browser history and Referer headers. A request
 * that carries `?key=` is refused even when its header is right, so a client that still puts the key in
 * the URL fails loudly instead of leaking it quietly forever.
 */
export function requireAdminKey(adminApiKey: string): RequestHandler {
  const expected = digest(adminApiKey);
  return (req, _res, next) => {
    if (hasKeyInQuery(req.originalUrl)) {
      next(
        new AppError(
          'unauthorized',
          'the admin key is never accepted in the URL (?key=); send it as Authorization: Bearer <ADMIN_API_KEY>',
        ),
      );
      return;
    }
    const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    const presented = match?.[1]?.trim();
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      next(new AppError('unauthorized', 'send Authorization: Bearer <ADMIN_API_KEY>'));
      return;
    }
    next();
  };
}
