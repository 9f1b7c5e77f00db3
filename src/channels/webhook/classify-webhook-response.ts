import { networkErrorCode } from '../../shared/network-error-code.ts';
import { ChannelError } from '../channel.ts';
import { readRetryAfter } from '../parse-retry-after.ts';
import { BlockedAddressError } from './blocked-address-error.ts';

/** What came back from the receiver; only the status line and Retry-After matter, never the body. */
export interface WebhookResponse {
  status: number;
  statusText: string;
  retryAfter: string | null;
}

/** A Retry-After of 0 would retry in a tight loop; a second is the least we wait. */
const MIN_RETRY_AFTER_MS = 1_000;

/** The receiver's reason phrase as a short, single-line label (it is the receiver's text, not ours). */
function reason(statusText: string): string {
  const text = statusText
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, 60);
  return text === '' ? '' : ` ${text}`;
}

/**
 * How a receiver's answer is read (Standard Webhooks' recommendations): any 2xx is delivered (undefined);
 * 429 and 503 with a Retry-After wait that long without spending an attempt, and without one back off like
 * any transient error; other 5xx and 408 back off; 410 Gone means the receiver is gone for good and
 * disables the endpoint; redirects are not followed (the URL in OUTBOUND_WEBHOOKS is the receiver: a
 * redirect could lead anywhere) and, with every other 4xx, are permanent. Bodies are never read into
 * errors: a receiver may echo the lead back.
 */
export function classifyWebhookResponse(response: WebhookResponse, now: Date = new Date()): ChannelError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const code = `${status}${reason(response.statusText)}`;
  if (status === 429 || status === 503) {
    const waitMs = readRetryAfter(response.retryAfter, now);
    if (waitMs !== undefined) {
      return new ChannelError('rate_limited', `the webhook receiver answered ${code} and asked to wait`, {
        retryAfterMs: Math.max(MIN_RETRY_AFTER_MS, waitMs),
        providerCode: String(status),
      });
    }
    return new ChannelError('transient', `the webhook receiver answered ${code}`, { providerCode: String(status) });
  }
  if (status === 410) {
    return new ChannelError('permanent', `the webhook receiver answered ${code}: it asks never to be sent to again`, {
      providerCode: '410',
      disablesDestination: true,
    });
  }
  if (status >= 300 && status < 400) {
    return new ChannelError(
      'permanent',
      `the webhook receiver answered ${code}, a redirect; redirects are not followed, so put the final URL in OUTBOUND_WEBHOOKS`,
      {
        providerCode: String(status),
      },
    );
  }
  if (status >= 400 && status < 500 && status !== 408) {
    return new ChannelError('permanent', `the webhook receiver refused the request: ${code}`, { providerCode: String(status) });
  }
  return new ChannelError('transient', `the webhook receiver answered ${code}`, { providerCode: String(status) });
}

/**
 * A request that got no answer: the SSRF guard refused the address (permanent: retrying cannot make the
 * address public), or the network failed (timeout, refused, reset, DNS): transient.
 */
export function classifyWebhookRequestError(error: unknown): ChannelError {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof BlockedAddressError) {
      return new ChannelError('permanent', `refused before connecting: ${current.message}`, {
        providerCode: 'blocked_address',
        cause: error,
      });
    }
    current = current.cause;
  }
  const code = networkErrorCode(error);
  return new ChannelError('transient', `the webhook request failed: ${code}`, { providerCode: code, cause: error });
}
