import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../shared/app-error.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Bearer `ADMIN_API_KEY`, compared in constant time (hashing first makes the lengths equal). */
export function requireAdminKey(adminApiKey: string): RequestHandler {
  const expected = digest(adminApiKey);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    // EventSource cannot send headers, so the panel's live stream passes the key as ?key=.
    const queryKey = typeof req.query['key'] === 'string' ? req.query['key'] : undefined;
    const presented = match?.[1]?.trim() ?? queryKey;
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      next(new AppError('unauthorized', 'send Authorization: Bearer <ADMIN_API_KEY>'));
      return;
    }
    next();
  };
}
