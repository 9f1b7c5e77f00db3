import http from 'node:http';
import https from 'node:https';
import { webhookChannelName } from '../../shared/channel-names.ts';
import type { Channel, OutgoingMessage, SendResult } from '../channel.ts';
import { formatOrFail } from '../format-or-fail.ts';
import { classifyWebhookRequestError, classifyWebhookResponse } from './classify-webhook-response.ts';
import { createAddressGuard, type ResolveHost } from './create-address-guard.ts';
import { formatWebhookPayload } from './format-webhook-payload.ts';
import { postWebhook } from './post-webhook.ts';
import { signWebhook } from './sign-webhook.ts';

export interface WebhookChannelOptions {
  /** The endpoint's name in OUTBOUND_WEBHOOKS; the channel is `webhook:<name>`. */
  name: string;
  /** The receiver's URL; a secret (catch-hook URLs are capabilities), never logged or used as a label. */
  url: string;
  /** `whsec_…` secrets; each signs every request. */
  secrets: readonly string[];
  /** Allow loopback, private, link-local and metadata addresses (tests, receivers on your own network). */
  allowPrivate: boolean;
  timeoutMs?: number;
  /** For tests: the resolver behind the SSRF guard. */
  resolve?: ResolveHost;
  /** The time a request is signed at. */
  now?: () => Date;
}

/** Standard Webhooks receivers are expected to answer within 15 s; slower counts as a timeout and is retried. */
export const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * Requests one endpoint may have in flight per process. Receivers deduplicate on webhook-id, so the few a
 * crash can repeat are harmless, and a receiver that takes a second per request (a Zapier or Make scenario)
 * still takes four leads a second. It is also the worker's batch size for the channel (one round of sends per
 * batch), so every attempt starts right before its request, well inside the delivery lease.
 */
const MAX_CONCURRENT_SENDS = 4;

/**
 * An outbound webhook: each lead event goes to the receiver as its own signed POST (Standard Webhooks), never
 * summarised. `webhook-id` is the event id on every attempt and replay, so a receiver can drop repeats;
 * `webhook-timestamp` and the signatures are made fresh for each attempt. The SSRF guard checks the
 * receiver's address before every connection (createAddressGuard); node:http follows no redirects.
 */
export function createWebhookChannel(options: WebhookChannelOptions): Channel {
  const url = new URL(options.url);
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const guard = createAddressGuard({ allowPrivate: options.allowPrivate, ...(options.resolve ? { resolve: options.resolve } : {}) });
  const agentOptions = { keepAlive: true, maxSockets: MAX_CONCURRENT_SENDS };
  const agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const name = webhookChannelName(options.name);

  async function send(message: OutgoingMessage): Promise<SendResult> {
    const [notice, ...rest] = message.notices;
    const payload = formatOrFail(() => {
      if (notice === undefined || rest.length > 0) throw new RangeError('a webhook carries exactly one event');
      if (notice.kind !== 'lead.event') throw new RangeError(`a webhook carries lead events, not ${notice.kind} notices`);
      return formatWebhookPayload(notice);
    });
    const body = JSON.stringify(payload);
    const signature = signWebhook(options.secrets, { id: notice!.eventId, timestampSeconds: now().getTime() / 1000, body });
    let answer;
    try {
      // IP literals skip the socket's lookup, so they are judged here; host names are judged in the lookup.
      guard.checkLiteral(url.hostname);
      answer = await postWebhook({
        url,
        headers: { 'content-type': 'application/json', 'user-agent': 'Leadline-Webhooks/1', ...signature },
        body,
        timeoutMs,
        agent,
        lookup: guard.lookup,
      });
    } catch (error) {
      throw classifyWebhookRequestError(error);
    }
    const failure = classifyWebhookResponse(answer, now());
    if (failure) throw failure;
    return { providerMessageId: null };
  }

  return {
    name,
    // The label names the endpoint and the receiver's host; the path (the capability) stays out.
    destination: `${name}@${url.host}`,
    maxNoticesPerMessage: 1,
    minIntervalMs: 0,
    maxConcurrentSends: MAX_CONCURRENT_SENDS,
    receives: 'events',
    canBeDisabled: true,
    send,
    // Posting would create a record at the receiver, so the health check resolves the host through the guard.
    check: async () => {
      try {
        await guard.checkHost(url.hostname);
      } catch (error) {
        throw classifyWebhookRequestError(error);
      }
    },
    close: async () => {
      agent.destroy();
    },
  };
}
