import type { Logger } from 'pino';
import { Telegraf } from 'telegraf';
import type { Channel, OutgoingMessage, SendResult } from '../channel.ts';
import { classifyTelegramError, migratedChatId } from './classify-telegram-error.ts';
import { formatOrFail } from '../format-or-fail.ts';
import { formatTelegramMessage } from './format-telegram-message.ts';

export interface TelegramChannelOptions {
  /** The bot token; a secret, never logged, never part of the destination label. */
  botToken: string;
  /** A user id (private chat), a group id (`-...`), a supergroup id (`-100...`) or `@channelname`. */
  chatId: string;
  /** Bot API root, for a self-hosted Bot API server (TELEGRAM_API_ROOT). */
  apiRoot?: string;
  /** Abort a call that takes longer than this; the delivery is then retried as transient. */
  timeoutMs?: number;
  /** Overrides the pacing derived from the chat type. */
  minIntervalMs?: number;
  /** Told when a group moved to a new chat id, so the operator can update TELEGRAM_CHAT_ID. */
  logger?: Pick<Logger, 'warn'>;
}

const DEFAULT_API_ROOT = 'https://api.telegram.org';
const DEFAULT_TIMEOUT_MS = 10_000;
/*
 * Telegram's limits: about one message per second to a chat, and 20 messages per minute to a group. Pacing
 * below them means we never cause a 429 ourselves.
 */
const PRIVATE_CHAT_INTERVAL_MS = 1000;
const GROUP_CHAT_INTERVAL_MS = 3000;
/** A summary line is at most ~200 characters in its smallest form: 20 of them stay under 4,096. */
const MAX_NOTICES_PER_MESSAGE = 20;

/**
 * telegraf types the signal as the `abort-controller` polyfill's class; at run time node-fetch accepts any
 * object whose prototype is named AbortSignal, which Node's own signal is. Only the type needs bridging.
 */
type TelegrafSignal = Telegraf['telegram'] extends { callApi(m: never, p: never, o?: infer O): unknown }
  ? O extends { signal?: infer S }
    ? S
    : never
  : never;

function timeoutSignal(timeoutMs: number): TelegrafSignal {
  return AbortSignal.timeout(timeoutMs) as unknown as TelegrafSignal;
}

/** Group and supergroup ids are negative. */
function intervalFor(chatId: string): number {
  return chatId.startsWith('-') ? GROUP_CHAT_INTERVAL_MS : PRIVATE_CHAT_INTERVAL_MS;
}

/** node-fetch errors from a bad JSON body carry the request URL, which contains the token. */
function redactToken(error: unknown, token: string): unknown {
  if (error instanceof Error && token !== '') {
    error.message = error.message.replaceAll(token, '[REDACTED]');
    if (error.stack !== undefined) error.stack = error.stack.replaceAll(token, '[REDACTED]');
  }
  return error;
}

/**
 * A Telegram channel over telegraf's Bot API client. Messages use HTML parse mode with link previews off.
 *
 * Calls go through `telegram.callApi('sendMessage', ...)`, the method `telegram.sendMessage` itself wraps,
 * because only callApi takes an AbortSignal: telegraf's own timeout is a fixed 500 seconds.
 *
 * When Telegram answers that the group became a supergroup (400 with migrate_to_chat_id), the channel
 * switches to the new id, sends once more, and logs a warning: the configured TELEGRAM_CHAT_ID is stale.
 */
export function createTelegramChannel(options: TelegramChannelOptions): Channel {
  const bot = new Telegraf(options.botToken, { telegram: { apiRoot: options.apiRoot ?? DEFAULT_API_ROOT } });
  return telegramChannelTo(options, bot, options.chatId);
}

/** A chat of the bot's: the configured one, or an agent's (forAddress), sharing the client. */
function telegramChannelTo(options: TelegramChannelOptions, bot: Telegraf, configuredChatId: string): Channel {
  const { botToken } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let chatId = configuredChatId;

  async function post(text: string): Promise<SendResult> {
    const sent = await bot.telegram.callApi(
      'sendMessage',
      { chat_id: chatId, text, parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
      { signal: timeoutSignal(timeoutMs) },
    );
    return { providerMessageId: String(sent.message_id) };
  }

  async function send(message: OutgoingMessage): Promise<SendResult> {
    const text = formatOrFail(() => formatTelegramMessage(message));
    try {
      return await post(text);
    } catch (error) {
      const newChatId = migratedChatId(error);
      if (newChatId === undefined) throw classifyTelegramError(redactToken(error, botToken));
      options.logger?.warn(
        { channel: 'telegram', oldChatId: chatId, newChatId: String(newChatId) },
        'Telegram group was upgraded to a supergroup; sending to the new chat id. Update TELEGRAM_CHAT_ID.',
      );
      chatId = String(newChatId);
    }
    try {
      return await post(text);
    } catch (error) {
      throw classifyTelegramError(redactToken(error, botToken));
    }
  }

  async function check(): Promise<void> {
    try {
      await bot.telegram.callApi('getMe', {}, { signal: timeoutSignal(timeoutMs) });
    } catch (error) {
      throw classifyTelegramError(redactToken(error, botToken));
    }
  }

  return {
    name: 'telegram',
    // The configured chat: pacing state stays keyed the same even after a migration.
    destination: `telegram:${configuredChatId}`,
    maxNoticesPerMessage: MAX_NOTICES_PER_MESSAGE,
    get minIntervalMs() {
      return options.minIntervalMs ?? intervalFor(chatId);
    },
    send,
    forAddress: (address) => telegramChannelTo(options, bot, address),
    check,
  };
}
