import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, sendError } from '../../../test/stubs/channel-test-helpers.ts';
import { leadCreated, makeMessage } from '../../../test/stubs/notice-fixtures.ts';
import { startSlackStub } from '../../../test/stubs/start-slack-stub.ts';
import type { SlackStub } from '../../../test/stubs/start-slack-stub.ts';
import { createSlackChannel } from './create-slack-channel.ts';
import { formatSlackMessage } from './format-slack-message.ts';

describe('createSlackChannel against the Slack stub', () => {
  let stub: SlackStub;
  beforeEach(async () => {
    stub = await startSlackStub();
  });
  afterEach(async () => {
    await stub.close();
  });

  it('when a lead is sent, then the webhook receives exactly the formatted JSON payload', async () => {
    const channel = createSlackChannel({ webhookUrl: stub.url, timeoutMs: 2000 });
    const message = makeMessage([leadCreated()]);

    const result = await channel.send(message);

    expect(result).toEqual({ providerMessageId: null });
    expect(stub.received).toHaveLength(1);
    const [request] = stub.received;
    expect(request?.path).toBe('/services/T00000000/B00000000/stub-secret');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.payload).toEqual(formatSlackMessage(message));
    expect(request?.status).toBe(200);
  });

  it('when the channel is created, then its destination names the webhook without its secret', () => {
    const channel = createSlackChannel({ webhookUrl: stub.url });

    expect(channel.destination).toBe('slack:T00000000/B00000000');
    expect(channel.minIntervalMs).toBe(1000);
    expect(channel.maxNoticesPerMessage).toBe(50);
  });

  it('when Slack answers 429 with Retry-After: 2, then the error is rate_limited with retryAfterMs 2000', async () => {
    stub.script({ status: 429, retryAfterSeconds: 2, body: 'rate_limited' });
    const channel = createSlackChannel({ webhookUrl: stub.url });

    const error = await sendError(channel.send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000, providerCode: '429' });
  });

  it('when Slack answers 429 without Retry-After, then the wait defaults to one second', async () => {
    stub.script({ status: 429, body: 'rate_limited' });
    const channel = createSlackChannel({ webhookUrl: stub.url });

    const error = await sendError(channel.send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
  });

  it('when two sends run at once and only one is rate limited, then only that one carries the Retry-After', async () => {
    stub.script({ status: 429, retryAfterSeconds: 5, body: 'rate_limited', delayMs: 20 }, { status: 200, body: 'ok' });
    const channel = createSlackChannel({ webhookUrl: stub.url });

    const results = await Promise.allSettled([
      channel.send(makeMessage([leadCreated({}, 'a')])),
      channel.send(makeMessage([leadCreated({}, 'b')])),
    ]);

    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({ kind: 'rate_limited', retryAfterMs: 5000 });
  });

  it.each([
    [410, 'channel_is_archived'],
    [404, 'no_service'],
    [403, 'action_prohibited'],
    [400, 'invalid_blocks'],
  ])('when Slack answers %i %s, then the error is permanent with that code', async (status, body) => {
    stub.script({ status, body });
    const channel = createSlackChannel({ webhookUrl: stub.url });

    const error = await sendError(channel.send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: `${status} ${body}` });
  });

  it('when Slack answers 500, then the error is transient and the library did not retry on its own', async () => {
    stub.script({ status: 500, body: 'internal error' });
    const channel = createSlackChannel({ webhookUrl: stub.url });

    const error = await sendError(channel.send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'transient', providerCode: '500 internal error' });
    expect(stub.received).toHaveLength(1);
  });

  it('when Slack is slower than the timeout, then the error is transient with code timeout', async () => {
    stub.setDelay(1000);
    const channel = createSlackChannel({ webhookUrl: stub.url, timeoutMs: 50 });

    const error = await sendError(channel.send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'transient', providerCode: 'timeout' });
  });

  it('when nothing listens at the webhook address, then the error is transient with the socket code', async () => {
    const port = await closedPort();
    const channel = createSlackChannel({ webhookUrl: `http://127.0.0.1:${port}/services/T1/B1/x` });

    const error = await sendError(channel.send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'transient', providerCode: 'ECONNREFUSED' });
    expect(error.message).not.toContain('/services/');
  });

  it('when the health check runs, then it validates the URL and posts nothing', async () => {
    await createSlackChannel({ webhookUrl: stub.url }).check();
    const insecure = createSlackChannel({ webhookUrl: 'http://hooks.example.com/services/T/B/x' });
    const broken = createSlackChannel({ webhookUrl: 'not a url' });

    await expect(insecure.check()).rejects.toMatchObject({ kind: 'permanent', providerCode: 'config' });
    await expect(broken.check()).rejects.toMatchObject({ kind: 'permanent', providerCode: 'config' });
    expect(stub.received).toHaveLength(0);
  });
});
