import { IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import { ChannelError } from '../channel.ts';
import { networkErrorCode } from '../../shared/network-error-code.ts';
import { parseRetryAfter } from '../parse-retry-after.ts';

/** Slack answers errors with a short plain-text code (`channel_is_archived`); anything longer is cut. */
const MAX_BODY_CHARS = 100;

/*
 * Statuses that mean the webhook itself is wrong or gone: retrying the same payload can never succeed.
 * 400 invalid_payload / invalid_blocks, 403 action_prohibited / team_disabled, 404 no_service,
 * 410 channel_is_archived / no_active_hooks.
 */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 410, 413]);

/**
 * Translates whatever `IncomingWebhook.send` threw into a ChannelError. `retryAfter` is the raw Retry-After
 * header of the failed response, captured by the channel because the library's error does not carry headers.
 */
export function classifySlackError(error: unknown, retryAfter: string | null): ChannelError {
  if (error instanceof IncomingWebhookHTTPError) {
    const status = error.statusCode;
    const body = error.body.trim().replace(/\s+/g, ' ').slice(0, MAX_BODY_CHARS);
    const providerCode = body === '' ? String(status) : `${status} ${body}`;
    if (status === 429) {
      return new ChannelError('rate_limited', 'Slack rate limited the webhook', {
        retryAfterMs: parseRetryAfter(retryAfter),
        providerCode: '429',
        cause: error,
      });
    }
    if (PERMANENT_STATUSES.has(status) || (status >= 400 && status < 500 && status !== 408)) {
      return new ChannelError('permanent', `Slack refused the message: ${providerCode}`, {
        providerCode,
        cause: error,
      });
    }
    return new ChannelError('transient', `Slack failed: ${providerCode}`, { providerCode, cause: error });
  }
  if (error instanceof IncomingWebhookRequestError) {
    const code = networkErrorCode(error.original);
    return new ChannelError('transient', `Slack request failed: ${code}`, { providerCode: code, cause: error });
  }
  return new ChannelError('transient', 'Slack send failed unexpectedly', { cause: error });
}
