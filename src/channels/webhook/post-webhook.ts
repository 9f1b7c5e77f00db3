import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookResponse } from './classify-webhook-response.ts';

export interface WebhookRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  /** The whole exchange: DNS, connect, TLS, the answer's status line. */
  timeoutMs: number;
  agent: http.Agent;
  /** The SSRF guard's lookup: the socket connects only to addresses it checked. */
  lookup: LookupFunction;
}

/** Bytes of an answer's body read (and thrown away) so the connection can be reused; more closes it. */
const MAX_DRAINED_BYTES = 64 * 1024;

/**
 * POSTs one webhook with node:http(s), which never follows redirects: a 3xx comes back as it is. Resolves
 * with the status line and Retry-After once the answer's headers arrive (the body is drained, not read);
 * rejects on network failure or after `timeoutMs` with an AbortError (networkErrorCode: `timeout`).
 * Credentials in the URL (`https://user:pass@host/…`) are sent as HTTP Basic auth.
 */
export function postWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  const client = request.url.protocol === 'https:' ? https : http;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('the webhook receiver did not answer in time', 'TimeoutError')),
    request.timeoutMs,
  );
  return new Promise<WebhookResponse>((resolve, reject) => {
    const outgoing = client.request(
      request.url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        agent: request.agent,
        lookup: request.lookup,
        signal: controller.signal,
      },
      (incoming) => {
        let drained = 0;
        incoming.on('data', (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > MAX_DRAINED_BYTES) incoming.destroy();
        });
        // The answer is judged by its status line; what happens to its body afterwards is no failure.
        incoming.on('error', () => {});
        incoming.on('close', () => clearTimeout(timer));
        const retryAfter = incoming.headers['retry-after'];
        resolve({
          status: incoming.statusCode ?? 0,
          statusText: incoming.statusMessage ?? '',
          retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
        });
      },
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end(request.body);
  });
}
