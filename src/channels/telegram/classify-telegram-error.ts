import { TelegramError } from 'telegraf';
import { ChannelError } from '../channel.ts';
import { networkErrorCode } from '../../shared/network-error-code.ts';

/** Telegram omits retry_after on some 429s; one second is its documented per-chat pace. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/** The chat id Telegram says a group moved to (it became a supergroup), if this error says so. */
export function migratedChatId(error: unknown): number | undefined {
  if (!(error instanceof TelegramError) || error.code !== 400) return undefined;
  const target = error.parameters?.migrate_to_chat_id;
  return typeof target === 'number' ? target : undefined;
}

/**
 * Translates a telegraf failure into a ChannelError. Telegram answers with `error_code` = HTTP status and a
 * description: 429 carries `parameters.retry_after` (seconds); 400 (bad request, chat not found, can't parse
 * entities) and 401/403/404 (bad token, bot blocked or kicked) cannot succeed on retry; 5xx is Telegram's
 * own trouble. Errors without a Telegram answer (timeouts, refused connections) are transient.
 */
export function classifyTelegramError(error: unknown): ChannelError {
  if (error instanceof TelegramError) {
    const code = error.code;
    const description = typeof error.description === 'string' ? error.description.replace(/\s+/g, ' ').slice(0, 120) : '';
    const providerCode = description === '' ? String(code) : `${code} ${description}`;
    if (code === 429) {
      const seconds = error.parameters?.retry_after;
      return new ChannelError('rate_limited', 'Telegram rate limited the bot', {
        retryAfterMs: typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : DEFAULT_RETRY_AFTER_MS,
        providerCode: '429',
        cause: error,
      });
    }
    if (code >= 400 && code < 500) {
      return new ChannelError('permanent', `Telegram refused the message: ${providerCode}`, {
        providerCode,
        cause: error,
      });
    }
    return new ChannelError('transient', `Telegram failed: ${providerCode}`, { providerCode, cause: error });
  }
  const code = networkErrorCode(error);
  return new ChannelError('transient', `Telegram request failed: ${code}`, { providerCode: code, cause: error });
}
