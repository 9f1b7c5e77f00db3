import { z } from 'zod';

/**
 * The position after the last lead of a page in the (created_at DESC, id DESC) order. `createdAt` keeps
 * Postgres's microseconds as text: a JavaScript Date would round them to milliseconds and make the next page
 * skip or repeat leads captured within the same millisecond.
 */
export interface LeadCursor {
  createdAt: string;
  id: string;
}

const cursorShape = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/), z.guid()]);

/** Opaque to clients: base64url of a small JSON tuple, so its shape can change without breaking links. */
export function encodeLeadCursor(cursor: LeadCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

/** Returns undefined for anything that is not a cursor this server made. */
export function decodeLeadCursor(text: string): LeadCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorShape.safeParse(decoded);
  return parsed.success ? { createdAt: parsed.data[0], id: parsed.data[1] } : undefined;
}
