import { createHmac } from 'node:crypto';

/** The three Standard Webhooks headers of one request. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a body per Standard Webhooks: HMAC-SHA256 over `<id>.<timestamp>.<body>` with the key the
 * `whsec_` secret encodes (its base64 part, decoded), one `v1,<base64>` per secret, space-separated. A
 * receiver that knows any one of the secrets accepts the request, so secrets rotate without a gap.
 * `timestampSeconds` is the time of this attempt (receivers refuse old ones), `id` stays the same on
 * every attempt of a delivery (receivers deduplicate on it).
 */
export function signWebhook(
  secrets: readonly string[],
  message: { id: string; timestampSeconds: number; body: string },
): WebhookSignatureHeaders {
  if (secrets.length === 0) throw new RangeError('a webhook needs at least one signing secret');
  const timestamp = String(Math.floor(message.timestampSeconds));
  const signatures = secrets.map((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const signature = createHmac('sha256', key).update(`${message.id}.${timestamp}.`).update(message.body).digest('base64');
    return `v1,${signature}`;
  });
  return { 'webhook-id': message.id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}
