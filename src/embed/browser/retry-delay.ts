/** The first wait after a failed attempt; each further failure doubles it. */
const FIRST_DELAY_MS = 2_000;
/** Backoff never grows past this, so a long outage is still retried every few minutes while the page is open. */
const MAX_BACKOFF_MS = 5 * 60_000;
/** A Retry-After is honoured up to this; a larger one (a misconfigured proxy) would strand the lead. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * How long to wait before attempt `failures + 1`: exponential backoff with jitter (between half and all of
 * the step, so many visitors' browsers do not come back in step after an outage), and never sooner than
 * the server's `Retry-After`.
 */
export function retryDelayMs(failures: number, retryAfterMs: number | undefined, random: number): number {
  const step = Math.min(MAX_BACKOFF_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failures - 1));
  const backoff = Math.round(step / 2 + (random * step) / 2);
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** `Retry-After` as seconds or as an HTTP date, in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
