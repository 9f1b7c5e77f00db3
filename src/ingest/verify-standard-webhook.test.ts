import { describe, expect, it } from 'vitest';
import { signStandardWebhook, verifyStandardWebhook } from './verify-standard-webhook.ts';

describe('verifyStandardWebhook', () => {
  // The example from the Standard Webhooks reference implementations.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = Buffer.from('{"test": 2432232314}');
  const now = timestamp * 1000;

  it('when signed like the reference example, then the signature matches the published value', () => {
    expect(signStandardWebhook(secret, id, timestamp, body)).toBe('g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(
      verifyStandardWebhook(
        { id, timestamp: String(timestamp), signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
        body,
        [secret],
        now,
      ),
    ).toEqual({
      ok: true,
      id,
      timestamp,
    });
  });

  it('when the header lists several signatures and the sender rotated its secret, then any match is enough', () => {
    const rotated = 'whsec_bmV3LXNlY3JldC1mb3ItdGVzdHM=';
    const signature = `v1a,ignored v1,${signStandardWebhook('whsec_b2xkLXNlY3JldA==', id, timestamp, body)} v1,${signStandardWebhook(rotated, id, timestamp, body)}`;
    expect(verifyStandardWebhook({ id, timestamp: String(timestamp), signature }, body, [rotated], now).ok).toBe(true);
  });

  it.each([
    ['an hour old', { timestamp: String(timestamp - 3600) }],
    ['from the future', { timestamp: String(timestamp + 600) }],
    ['missing its id', { id: undefined }],
    ['without a v1 signature', { signature: 'v2,abc' }],
    ['with a tampered signature', { signature: 'v1,h0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }],
  ])('when the request is %s, then it is refused', (_label, override) => {
    const headers = { id, timestamp: String(timestamp), signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', ...override };
    expect(verifyStandardWebhook(headers, body, [secret], now).ok).toBe(false);
  });

  it('when the body changed after signing, then it is refused', () => {
    const verdict = verifyStandardWebhook(
      { id, timestamp: String(timestamp), signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
      Buffer.from('{"test": 2432232315}'),
      [secret],
      now,
    );
    expect(verdict.ok).toBe(false);
  });
});
