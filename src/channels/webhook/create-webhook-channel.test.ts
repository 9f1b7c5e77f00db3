import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, sendError } from '../../../test/stubs/channel-test-helpers.ts';
import { leadCreated, leadEvent, makeMessage } from '../../../test/stubs/notice-fixtures.ts';
import { RECEIVER_SECRET_PATH, startWebhookReceiver, type WebhookReceiver } from '../../../test/stubs/start-webhook-receiver.ts';
import type { Channel } from '../channel.ts';
import { createWebhookChannel, type WebhookChannelOptions } from './create-webhook-channel.ts';
import { formatWebhookPayload, webhookPayloadSchema } from './format-webhook-payload.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const NEXT_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

describe('createWebhookChannel against a local receiver', () => {
  let receiver: WebhookReceiver;
  const channels: Channel[] = [];
  const channel = (overrides: Partial<WebhookChannelOptions> = {}) => {
    const created = createWebhookChannel({ name: 'crm', url: receiver.urlFor('crm'), secrets: [SECRET], allowPrivate: true, ...overrides });
    channels.push(created);
    return created;
  };
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((created) => created.close?.()));
    await receiver.close();
  });

  it('when a lead event is sent, then the receiver gets the formatted payload, signed so the standardwebhooks library verifies it', async () => {
    const notice = leadEvent();
    const result = await channel().send(makeMessage([notice]));

    expect(result).toEqual({ providerMessageId: null });
    const [request] = receiver.receivedBy('crm');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe('4711');
    expect(Math.abs(Number(request?.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(request?.payload).toEqual(JSON.parse(JSON.stringify(formatWebhookPayload(notice))));
    expect(webhookPayloadSchema.parse(request?.payload)).toMatchObject({ type: 'lead.created', data: { event: { id: '4711' } } });
    const verified = new Webhook(SECRET).verify(request!.rawBody, request!.headers as Record<string, string>);
    expect(verified).toEqual(request?.payload);
    // Receivers that only keep the parsed body (n8n) can rebuild the signed bytes.
    expect(JSON.stringify(JSON.parse(request!.rawBody))).toBe(request!.rawBody);
  });

  it('when the URL carries credentials, then they go as HTTP Basic auth and not in the request line', async () => {
    const url = new URL(receiver.urlFor('crm'));
    url.username = 'leadline';
    url.password = 'p@ss word';

    await channel({ url: url.toString() }).send(makeMessage([leadEvent()]));

    const [request] = receiver.receivedBy('crm');
    expect(request?.headers['authorization']).toBe(`Basic ${Buffer.from('leadline:p@ss word').toString('base64')}`);
  });

  it('when two secrets are configured (rotation), then every request carries a signature for each and each secret verifies it', async () => {
    await channel({ secrets: [SECRET, NEXT_SECRET] }).send(makeMessage([leadEvent()]));

    const [request] = receiver.receivedBy('crm');
    expect(String(request?.headers['webhook-signature']).split(' ')).toEqual([
      expect.stringMatching(/^v1,/),
      expect.stringMatching(/^v1,/),
    ]);
    for (const secret of [SECRET, NEXT_SECRET]) {
      expect(() => new Webhook(secret).verify(request!.rawBody, request!.headers as Record<string, string>)).not.toThrow();
    }
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(request!.rawBody, request!.headers as Record<string, string>),
    ).toThrow();
  });

  it('when the same event is sent twice, then the webhook-id stays the event id and the timestamp and signature are made anew', async () => {
    let now = new Date('2026-12-01T10:00:00Z');
    const sender = channel({ now: () => now });
    await sender.send(makeMessage([leadEvent()]));
    now = new Date('2026-12-01T10:00:30Z');
    await sender.send(makeMessage([leadEvent()]));

    const [first, second] = receiver.receivedBy('crm');
    expect([first?.headers['webhook-id'], second?.headers['webhook-id']]).toEqual(['4711', '4711']);
    expect(Number(second?.headers['webhook-timestamp']) - Number(first?.headers['webhook-timestamp'])).toBe(30);
    expect(second?.headers['webhook-signature']).not.toBe(first?.headers['webhook-signature']);
  });

  it('when the channel is created, then it never summarises, receives events, can be disabled, and its label hides the URL path', () => {
    const created = channel();

    expect(created).toMatchObject({
      name: 'webhook:crm',
      maxNoticesPerMessage: 1,
      minIntervalMs: 0,
      receives: 'events',
      canBeDisabled: true,
    });
    expect(created.destination).toMatch(/^webhook:crm@127\.0\.0\.1:\d+$/);
    expect(created.destination).not.toContain(RECEIVER_SECRET_PATH);
  });

  it('when an alert notice or two events at once are given, then the send fails as permanent without a request', async () => {
    const sender = channel();

    await expect(sender.send(makeMessage([leadCreated()]))).rejects.toMatchObject({ kind: 'permanent', providerCode: 'format' });
    await expect(sender.send(makeMessage([leadEvent(), leadEvent({ eventId: '4712' })]))).rejects.toMatchObject({ kind: 'permanent' });
    expect(receiver.received).toHaveLength(0);
  });

  it.each([
    ['429 with Retry-After: 2', { status: 429, retryAfter: '2' }, { kind: 'rate_limited', retryAfterMs: 2000, providerCode: '429' }],
    ['503 with Retry-After: 3', { status: 503, retryAfter: '3' }, { kind: 'rate_limited', retryAfterMs: 3000, providerCode: '503' }],
    ['429 with Retry-After: 0', { status: 429, retryAfter: '0' }, { kind: 'rate_limited', retryAfterMs: 1000 }],
    ['429 without Retry-After', { status: 429 }, { kind: 'transient', providerCode: '429' }],
    ['503 without Retry-After', { status: 503 }, { kind: 'transient', providerCode: '503' }],
    ['500', { status: 500 }, { kind: 'transient', providerCode: '500' }],
    ['502', { status: 502 }, { kind: 'transient', providerCode: '502' }],
    ['408', { status: 408 }, { kind: 'transient', providerCode: '408' }],
    ['410', { status: 410 }, { kind: 'permanent', providerCode: '410', disablesDestination: true }],
    ['400', { status: 400 }, { kind: 'permanent', providerCode: '400', disablesDestination: false }],
    ['401', { status: 401 }, { kind: 'permanent', providerCode: '401' }],
    ['404', { status: 404 }, { kind: 'permanent', providerCode: '404', disablesDestination: false }],
  ])('when the receiver answers %s, then the error is classified as %j', async (_label, reply, expected) => {
    receiver.script('crm', reply);

    const error = await sendError(channel().send(makeMessage([leadEvent()])));

    expect(error).toMatchObject(expected);
    expect(receiver.receivedBy('crm')).toHaveLength(1);
  });

  it('when the receiver redirects, then the redirect is not followed and the error is permanent', async () => {
    receiver.script('crm', { status: 307, location: receiver.urlFor('elsewhere') });

    const error = await sendError(channel().send(makeMessage([leadEvent()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: '307' });
    expect(error.message).toContain('redirects are not followed');
    expect(receiver.receivedBy('elsewhere')).toHaveLength(0);
  });

  it('when the receiver answers slower than the timeout, then the error is transient with code timeout', async () => {
    receiver.script('crm', { status: 200, delayMs: 1_000 });

    const error = await sendError(channel({ timeoutMs: 100 }).send(makeMessage([leadEvent()])));

    expect(error).toMatchObject({ kind: 'transient', providerCode: 'timeout' });
  });

  it('when nothing listens at the address, then the error is transient with the socket code and names no URL', async () => {
    const port = await closedPort();

    const error = await sendError(
      channel({ url: `http://127.0.0.1:${port}/hooks/crm/${RECEIVER_SECRET_PATH}` }).send(makeMessage([leadEvent()])),
    );

    expect(error).toMatchObject({ kind: 'transient', providerCode: 'ECONNREFUSED' });
    expect(error.message).not.toContain(RECEIVER_SECRET_PATH);
  });

  it('when the receiver is on loopback and private addresses are not allowed, then it is never called and the error is permanent', async () => {
    const error = await sendError(channel({ allowPrivate: false }).send(makeMessage([leadEvent()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: 'blocked_address' });
    expect(error.message).toContain('127.0.0.1 is a loopback address');
    expect(receiver.received).toHaveLength(0);
  });

  it('when a host name resolves to a private address at connection time (DNS rebinding), then nothing is sent to it', async () => {
    const port = new URL(receiver.urlFor('crm')).port;
    const rebinding = channel({
      url: `http://receiver.example:${port}/hooks/crm/${RECEIVER_SECRET_PATH}`,
      allowPrivate: false,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });

    const error = await sendError(rebinding.send(makeMessage([leadEvent()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: 'blocked_address' });
    expect(error.message).toContain('receiver.example resolves to 127.0.0.1');
    expect(receiver.received).toHaveLength(0);
    await expect(rebinding.check()).rejects.toMatchObject({ kind: 'permanent', providerCode: 'blocked_address' });
  });

  it('when a host name resolves to an allowed address, then the request goes to exactly the address the guard checked', async () => {
    const port = new URL(receiver.urlFor('crm')).port;
    const asked: string[] = [];
    const named = channel({
      url: `http://receiver.example:${port}/hooks/crm/${RECEIVER_SECRET_PATH}`,
      resolve: async (hostname) => {
        asked.push(hostname);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });

    await named.send(makeMessage([leadEvent()]));

    expect(asked).toEqual(['receiver.example']);
    expect(receiver.receivedBy('crm')).toHaveLength(1);
    expect(receiver.receivedBy('crm')[0]?.headers['host']).toBe(`receiver.example:${port}`);
  });
});
