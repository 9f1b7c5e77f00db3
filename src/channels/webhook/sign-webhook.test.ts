import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook } from './sign-webhook.ts';

describe('signWebhook', () => {
  it('when a body is signed, then the signature is the one the standardwebhooks reference library computes', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const body = JSON.stringify({ type: 'lead.created', timestamp: '2026-12-01T10:00:00.000Z', data: { name: 'Zoë ✓' } });

    const headers = signWebhook([secret], { id: '4711', timestampSeconds: 1_796_119_200.9, body });

    expect(headers).toEqual({
      'webhook-id': '4711',
      'webhook-timestamp': '1796119200',
      'webhook-signature': new Webhook(secret).sign('4711', new Date(1_796_119_200_000), body),
    });
  });

  it('when several secrets are configured, then one v1 signature per secret is sent, space-separated, in order', () => {
    const secrets = [`whsec_${randomBytes(24).toString('base64')}`, `whsec_${randomBytes(64).toString('base64')}`];

    const signature = signWebhook(secrets, { id: '1', timestampSeconds: 1_700_000_000, body: '{}' })['webhook-signature'];

    expect(signature.split(' ')).toEqual(secrets.map((secret) => new Webhook(secret).sign('1', new Date(1_700_000_000_000), '{}')));
  });

  it('when no secret is given, then it refuses to send an unsigned webhook', () => {
    expect(() => signWebhook([], { id: '1', timestampSeconds: 0, body: '{}' })).toThrow(RangeError);
  });
});
