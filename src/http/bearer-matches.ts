import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether the request's `Authorization: Bearer …` is `key`, compared in constant time (hashes have equal length). */
export function bearerMatches(req: Request, key: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
  const presented = match?.[1]?.trim();
  return presented !== undefined && timingSafeEqual(digest(presented), digest(key));
}
