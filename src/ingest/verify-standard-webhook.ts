import { createHmac, timingSafeEqual } from 'node:crypto';

/** Standard Webhooks: a signature older or newer than this is refused, so a captured request cannot be replayed later. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

const WEBHOOK_ID = /^[\x21-\x7e]{1,255}$/;
const TIMESTAMP = /^\d{1,12}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_SIGNATURES = 10;

export interface StandardWebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export type StandardWebhookVerdict = { ok: true; id: string; timestamp: number } | { ok: false; reason: string };

/**
 * A secret as WEBHOOK_SECRETS holds it: `whsec_<base64>` (the Standard Webhooks form: the key is the decoded
 * bytes), or any other string, used as its UTF-8 bytes for senders that only let you type a shared secret.
 */
export function decodeWebhookSecret(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function signStandardWebhook(secret: string, id: string, timestamp: number, body: Buffer | string): string {
  return createHmac('sha256', decodeWebhookSecret(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/**
 * The signature headers of a request, under either name set: Standard Webhooks' `webhook-*` or Svix's
 * `svix-*` (the same values; Svix-based senders such as Clerk and Resend send these).
 */
export function readStandardWebhookHeaders(get: (name: string) => string | undefined): StandardWebhookHeaders {
  return {
    id: get('webhook-id') ?? get('svix-id'),
    timestamp: get('webhook-timestamp') ?? get('svix-timestamp'),
    signature: get('webhook-signature') ?? get('svix-signature'),
  };
}

/**
 * What can be judged before the body is read: the three headers are there, well formed, and the timestamp
 * is inside the tolerance. A request that fails here costs no buffering.
 */
export function checkStandardWebhookHeaders(
  headers: StandardWebhookHeaders,
  nowMs: number,
): { ok: true; id: string; timestamp: number } | { ok: false; reason: string } {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature)
    return {
      ok: false,
      reason: 'send the webhook-id, webhook-timestamp and webhook-signature headers (or svix-id, svix-timestamp, svix-signature)',
    };
  if (!WEBHOOK_ID.test(id)) return { ok: false, reason: 'webhook-id must be 1-255 visible ASCII characters' };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, reason: 'webhook-timestamp must be Unix seconds' };
  const seconds = Number(timestamp);
  if (Math.abs(nowMs / 1000 - seconds) > TIMESTAMP_TOLERANCE_SECONDS) {
    return { ok: false, reason: `webhook-timestamp is more than ${TIMESTAMP_TOLERANCE_SECONDS / 60} minutes from our clock` };
  }
  return { ok: true, id, timestamp: seconds };
}

/**
 * Verifies `webhook-signature` (a space-separated list of `v1,<base64>`) against every configured secret of
 * the sender, so a secret can be rotated by listing the old and the new one for a while. Each comparison is
 * constant time on equal-length buffers.
 */
export function verifyStandardWebhook(
  headers: StandardWebhookHeaders,
  body: Buffer,
  secrets: readonly string[],
  nowMs: number,
): StandardWebhookVerdict {
  const checked = checkStandardWebhookHeaders(headers, nowMs);
  if (!checked.ok) return checked;
  const { id, timestamp: seconds } = checked;
  // Signed over the header exactly as sent (leading zeros included), not over the parsed number.
  const timestamp = headers.timestamp ?? '';
  const signature = headers.signature ?? '';

  const given = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .slice(0, MAX_SIGNATURES)
    .map((entry) => entry.slice(3))
    .filter((text) => BASE64.test(text))
    .map((text) => Buffer.from(text, 'base64'));
  if (given.length === 0) return { ok: false, reason: 'webhook-signature holds no v1 signature' };

  for (const secret of secrets) {
    const expected = createHmac('sha256', decodeWebhookSecret(secret)).update(`${id}.${timestamp}.`).update(body).digest();
    for (const candidate of given) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return { ok: true, id, timestamp: seconds };
    }
  }
  return { ok: false, reason: 'webhook-signature does not match the body with any secret configured for this sender' };
}
