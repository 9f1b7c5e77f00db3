/**
 * A local stand-in for a webhook receiver (a Zapier, Make or n8n catch hook, a CRM's inbound endpoint) on
 * 127.0.0.1: `POST /hooks/<endpoint>/<secret-path>` with a JSON body, answered `200 {"status":"success"}` like
 * Zapier. Each endpoint has its own queue of scripted replies (outages, rate limits, 410 Gone, redirects), and
 * every request is recorded with its headers and raw body, so tests can verify signatures with the
 * `standardwebhooks` reference library.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRequestBody } from './read-request-body.ts';

export interface WebhookReply {
  status: number;
  /** Sent as the Retry-After header, as it is (seconds or an HTTP date). */
  retryAfter?: string;
  /** Sent as the Location header (for redirects). */
  location?: string;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface ReceivedWebhook {
  /** `Date.now()` when the request body was complete. */
  at: number;
  endpoint: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed JSON body, or null when it was not JSON. */
  payload: unknown;
  status: number;
}

export interface WebhookReceiver {
  /** The URL of `endpoint` on this receiver; its last path segment plays the catch hook's secret. */
  urlFor(endpoint: string): string;
  /** Every request, in arrival order, including the ones answered with an error. */
  received: ReceivedWebhook[];
  /** The requests `endpoint` got. */
  receivedBy(endpoint: string): ReceivedWebhook[];
  /** Queue replies for `endpoint`'s next requests; when its queue is empty it answers 200. */
  script(endpoint: string, ...replies: WebhookReply[]): void;
  close(): Promise<void>;
}

export const RECEIVER_SECRET_PATH = 'catch-7f3a9c2e51';

function answer(response: ServerResponse, reply: WebhookReply): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
  if (reply.location !== undefined) headers['location'] = reply.location;
  response.writeHead(reply.status, headers).end(reply.body ?? JSON.stringify({ status: reply.status < 300 ? 'success' : 'error' }));
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startWebhookReceiver(options: { secretPath?: string } = {}): Promise<WebhookReceiver> {
  const secretPath = options.secretPath ?? RECEIVER_SECRET_PATH;
  const received: ReceivedWebhook[] = [];
  const queues = new Map<string, WebhookReply[]>();

  const server = createServer((request, response) => {
    void (async () => {
      const match = /^\/hooks\/([^/]+)\/([^/?]+)/.exec(request.url ?? '/');
      if (!match || match[2] !== secretPath) return answer(response, { status: 404 });
      if (request.method !== 'POST') return answer(response, { status: 405 });
      const endpoint = match[1]!;
      const rawBody = await readRequestBody(request);
      let payload: unknown = null;
      try {
        payload = JSON.parse(rawBody);
      } catch {
        payload = null;
      }
      const reply = queues.get(endpoint)?.shift() ?? { status: 200 };
      received.push({ at: Date.now(), endpoint, headers: request.headers, rawBody, payload, status: reply.status });
      if (reply.delayMs) await delay(reply.delayMs);
      answer(response, reply);
    })().catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    urlFor: (endpoint) => `http://127.0.0.1:${port}/hooks/${endpoint}/${secretPath}`,
    received,
    receivedBy: (endpoint) => received.filter((request) => request.endpoint === endpoint),
    script: (endpoint, ...replies) => {
      queues.set(endpoint, [...(queues.get(endpoint) ?? []), ...replies]);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
