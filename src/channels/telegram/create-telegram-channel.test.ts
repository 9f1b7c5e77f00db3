import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, sendError } from '../../../test/stubs/channel-test-helpers.ts';
import { NASTY_NAME, leadCreated, makeMessage } from '../../../test/stubs/notice-fixtures.ts';
import { badGateway, botBlocked, chatNotFound, startTelegramStub, tooManyRequests } from '../../../test/stubs/start-telegram-stub.ts';
import type { TelegramStub } from '../../../test/stubs/start-telegram-stub.ts';
import { createTelegramChannel } from './create-telegram-channel.ts';
import type { TelegramChannelOptions } from './create-telegram-channel.ts';
import { formatTelegramMessage } from './format-telegram-message.ts';

describe('createTelegramChannel against the Telegram stub', () => {
  let stub: TelegramStub;
  const channelFor = (overrides: Partial<TelegramChannelOptions> = {}) =>
    createTelegramChannel({
      botToken: stub.token,
      chatId: '424242',
      apiRoot: stub.apiRoot,
      timeoutMs: 2000,
      ...overrides,
    });

  beforeEach(async () => {
    stub = await startTelegramStub();
  });
  afterEach(async () => {
    await stub.close();
  });

  it('when a lead is sent, then sendMessage gets the chat, the HTML and parse options as JSON', async () => {
    const message = makeMessage([leadCreated()]);

    const result = await channelFor().send(message);

    expect(result).toEqual({ providerMessageId: '1' });
    expect(stub.received).toHaveLength(1);
    expect(stub.received[0]).toMatchObject({
      method: 'sendMessage',
      contentType: 'application/json',
      ok: true,
      params: {
        chat_id: '424242',
        text: formatTelegramMessage(message),
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      },
    });
  });

  it('when the lead has a nasty name, then Telegram accepts the message and shows the name as typed', async () => {
    await channelFor().send(makeMessage([leadCreated({ name: NASTY_NAME, message: '<i>x</b> & y' })]));

    expect(stub.sent).toHaveLength(1);
    expect(stub.sent[0]?.text).toContain(`New HOT lead: ${NASTY_NAME}`);
    expect(stub.sent[0]?.text).toContain('<i>x</b> & y');
  });

  it('when Telegram answers 429 with retry_after 2, then the error is rate_limited with retryAfterMs 2000', async () => {
    stub.script(tooManyRequests(2));

    const error = await sendError(channelFor().send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000, providerCode: '429' });
  });

  it('when the group was upgraded to a supergroup, then the channel follows migrate_to_chat_id and warns', async () => {
    stub.migrateChat('-4242', -1004242);
    const lines: string[] = [];
    const logger = pino({ base: null }, { write: (line: string) => lines.push(line) });
    const channel = channelFor({ chatId: '-4242', logger });
    expect(channel.minIntervalMs).toBe(3000);

    const first = await channel.send(makeMessage([leadCreated()], 'a'));
    const second = await channel.send(makeMessage([leadCreated()], 'b'));

    expect(stub.received.map((request) => [String(request.params.chat_id), request.ok])).toEqual([
      ['-4242', false],
      ['-1004242', true],
      ['-1004242', true],
    ]);
    expect([first.providerMessageId, second.providerMessageId]).toEqual(['1', '2']);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 40, oldChatId: '-4242', newChatId: '-1004242' });
    expect(lines[0]).toContain('TELEGRAM_CHAT_ID');
    expect(channel.destination).toBe('telegram:-4242');
  });

  it("when the bot was blocked by the user, then the error is permanent with Telegram's description", async () => {
    stub.script(botBlocked());

    const error = await sendError(channelFor().send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: '403 Forbidden: bot was blocked by the user' });
  });

  it('when the chat does not exist, then the error is permanent', async () => {
    stub.script(chatNotFound());

    const error = await sendError(channelFor().send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'permanent', providerCode: '400 Bad Request: chat not found' });
  });

  it('when Telegram is down with a 502, then the error is transient', async () => {
    stub.script(badGateway());

    const error = await sendError(channelFor().send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'transient', providerCode: '502 Bad Gateway' });
  });

  it('when Telegram is slower than the timeout, then the error is transient with code timeout', async () => {
    stub.setDelay(1000);

    const error = await sendError(channelFor({ timeoutMs: 50 }).send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'transient', providerCode: 'timeout' });
  });

  it('when nothing listens at the API root, then the error is transient and never shows the token', async () => {
    const channel = channelFor({ apiRoot: `http://127.0.0.1:${await closedPort()}` });

    const error = await sendError(channel.send(makeMessage([leadCreated()])));

    expect(error).toMatchObject({ kind: 'transient', providerCode: 'ECONNREFUSED' });
    const secretPart = stub.token.split(':')[1] ?? '';
    expect(error.message).not.toContain(secretPart);
    expect(String((error.cause as Error).message)).not.toContain(secretPart);
  });

  it('when the health check runs, then it calls getMe and a wrong token is permanent', async () => {
    await channelFor().check();
    const wrongToken = channelFor({ botToken: '1:wrong' });

    await expect(wrongToken.check()).rejects.toMatchObject({ kind: 'permanent', providerCode: '401 Unauthorized' });
    expect(stub.received.map((request) => request.method)).toEqual(['getMe']);
    expect(stub.sent).toHaveLength(0);
  });

  it("when the chat is private or a group, then the pacing follows Telegram's per-chat limits", () => {
    expect(channelFor({ chatId: '424242' }).minIntervalMs).toBe(1000);
    expect(channelFor({ chatId: '-100123' }).minIntervalMs).toBe(3000);
    expect(channelFor({ chatId: '424242' }).maxNoticesPerMessage).toBe(20);
  });
});
