/** Slack sends no Retry-After on some 429s; one second matches its documented one-message-per-second pace. */
export const DEFAULT_RETRY_AFTER_MS = 1000;
/** A provider asking for more than an hour is treated as an hour, so one bad header cannot park a channel. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * Reads an HTTP `Retry-After` value (RFC 9110: delay-seconds or an HTTP-date) as milliseconds.
 * Missing or unreadable values give the default.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number {
  return readRetryAfter(value, now) ?? DEFAULT_RETRY_AFTER_MS;
}

/** The same, but undefined when the value is missing or unreadable (the caller decides what that means). */
export function readRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now.getTime());
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
