import { createHmac } from 'node:crypto';

/**
 * `X-Hub-Signature-256` as Meta computes it (HMAC-SHA256 of the exact body bytes with the app secret, hex), made
 * here with node:crypto rather than by the product's signer, so a test never proves the verifier agrees with
 * itself. meta-webhook.test.ts pins this against a vector computed outside Node.
 */
export function signMetaDelivery(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}
