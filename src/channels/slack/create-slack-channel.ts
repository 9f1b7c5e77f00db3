import { IncomingWebhook } from '@slack/webhook';
import type { FetchFunction } from '@slack/webhook';
import { ChannelError } from '../channel.ts';
import type { Channel, OutgoingMessage, SendResult } from '../channel.ts';
import { classifySlackError } from './classify-slack-error.ts';
import { formatOrFail } from '../format-or-fail.ts';
import { formatSlackMessage } from './format-slack-message.ts';

export interface SlackChannelOptions {
  /** The incoming-webhook URL; a secret, never logged or used as the destination label. */
  webhookUrl: string;
  /** Base URL of the admin panel, linked from operator alerts. */
  adminBaseUrl?: string;
  /** Slack allows about one message per second per webhook, with short bursts. */
  minIntervalMs?: number;
  /** Abort a post that takes longer than this; the delivery is then retried as transient. */
  timeoutMs?: number;
  /** For tests: the fetch the library uses. Defaults to Node's global fetch. */
  fetch?: typeof globalThis.fetch;
}

const DEFAULT_MIN_INTERVAL_MS = 1000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Coalesced summaries list each notice on one bounded line; 50 keeps the message well inside 50 blocks. */
const MAX_NOTICES_PER_MESSAGE = 50;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

type LibraryResponse = Awaited<ReturnType<FetchFunction>>;

/**
 * The library types `headers.entries()`, which our lib settings (no DOM.Iterable) do not declare on
 * `Headers`; this adapter satisfies the type without a cast and without changing behaviour.
 */
function adaptResponse(response: Response): LibraryResponse {
  return {
    ok: response.ok,
    status: response.status,
    statusText: response.statusText,
    url: response.url,
    headers: {
      get: (name) => response.headers.get(name),
      entries: () => {
        const pairs: [string, string][] = [];
        response.headers.forEach((value, key) => pairs.push([key, value]));
        return pairs;
      },
    },
    arrayBuffer: () => response.arrayBuffer(),
    json: () => response.json() as Promise<unknown>,
    text: () => response.text(),
  };
}

/** `slack:T0001/B0002`: workspace and webhook ids identify the destination; the last path part is the secret. */
function destinationLabel(webhookUrl: string): string {
  try {
    const parts = new URL(webhookUrl).pathname.split('/').filter((part) => part !== '');
    const ids = parts[0] === 'services' ? parts.slice(1, 3) : [];
    return ids.length === 2 ? `slack:${ids.join('/')}` : 'slack:webhook';
  } catch {
    return 'slack:webhook';
  }
}

/** Throws a permanent ChannelError unless the URL is https (plain http only to loopback, for local stubs). */
function validateWebhookUrl(webhookUrl: string): void {
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    throw new ChannelError('permanent', 'SLACK_WEBHOOK_URL is not a valid URL', { providerCode: 'config' });
  }
  const secure = url.protocol === 'https:';
  const local = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (!secure && !local) {
    throw new ChannelError('permanent', 'SLACK_WEBHOOK_URL must be an https URL', { providerCode: 'config' });
  }
}

/**
 * A Slack channel over an incoming webhook.
 *
 * Retry-After: @slack/webhook 8 posts with `fetch` (not axios), and its `IncomingWebhookHTTPError` keeps only
 * status, status text and body, so the 429's Retry-After header is lost by the time we catch the error. The
 * library's public `fetch` option is the one sound hook: each send gets its own IncomingWebhook whose fetch
 * wrapper copies Retry-After off the response into a variable of that send. Being per send, concurrent
 * sends cannot see each other's header (an instance-wide "last header" would race). Building the client is
 * a few property assignments, so this costs nothing measurable.
 *
 * Keep-alive: Node's fetch (undici's global dispatcher) pools and reuses connections per origin by default,
 * so there is no agent to configure; an http(s).Agent would not be used by fetch at all.
 *
 * The library's own retries stay off (`retries: 0`): retry and backoff belong to the delivery layer, which
 * knows the attempt count and persists it.
 */
export function createSlackChannel(options: SlackChannelOptions): Channel {
  const { webhookUrl, adminBaseUrl } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseFetch = options.fetch ?? globalThis.fetch;

  async function send(message: OutgoingMessage): Promise<SendResult> {
    const payload = formatOrFail(() => formatSlackMessage(message, adminBaseUrl === undefined ? {} : { adminBaseUrl }));
    let retryAfter: string | null = null;
    const fetchRecordingRetryAfter: FetchFunction = async (url, init) => {
      const response = await baseFetch(url, init);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      return adaptResponse(response);
    };
    const webhook = new IncomingWebhook(webhookUrl, {
      fetch: fetchRecordingRetryAfter,
      timeout: timeoutMs,
      retryConfig: { retries: 0 },
    });
    try {
      await webhook.send(payload);
    } catch (error) {
      throw classifySlackError(error, retryAfter);
    }
    // Incoming webhooks answer a bare `ok`: Slack gives no message id to record.
    return { providerMessageId: null };
  }

  return {
    name: 'slack',
    destination: destinationLabel(webhookUrl),
    maxNoticesPerMessage: MAX_NOTICES_PER_MESSAGE,
    minIntervalMs: options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS,
    send,
    forAddress: (address) => createSlackChannel({ ...options, webhookUrl: address }),
    // Posting is the only thing a webhook URL can do, and a health probe must not spam the channel, so the
    // check validates the configuration only.
    check: async () => {
      validateWebhookUrl(webhookUrl);
    },
  };
}
