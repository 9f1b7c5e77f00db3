/**
 * A local stand-in for Slack incoming webhooks, speaking the real protocol on 127.0.0.1: `POST
 * /services/T/B/secret` with a JSON body, answered `200 ok` as text/html like hooks.slack.com. Replies can
 * be scripted (rate limits, archived channels, outages) and every request is recorded.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRequestBody } from './read-request-body.ts';
import { waitFor } from './wait-for.ts';

export interface SlackStubReply {
  status: number;
  /** Slack's error bodies are short codes such as `rate_limited`, `channel_is_archived`, `invalid_blocks`. */
  body?: string;
  /** Sent as the Retry-After header (seconds). */
  retryAfterSeconds?: number;
  /** Wait this long before answering (on top of the stub's fixed delay). */
  delayMs?: number;
}

export interface SlackStubRequest {
  /** `Date.now()` when the request body was complete. */
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed JSON body, or null when it was not JSON. */
  payload: unknown;
  /** The status the stub answered with. */
  status: number;
}

export interface SlackStub {
  /** A full webhook URL, e.g. `http://127.0.0.1:PORT/services/T00000000/B00000000/stub-secret`. */
  url: string;
  /** Every webhook POST, in arrival order, including the ones answered with an error. */
  received: SlackStubRequest[];
  /** Queue replies for the next requests, in order; when the queue is empty the stub answers `200 ok`. */
  script(...replies: SlackStubReply[]): void;
  /** A fixed delay before every answer (simulates a slow provider). */
  setDelay(delayMs: number): void;
  waitFor(predicate: (received: SlackStubRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SlackStubOptions {
  delayMs?: number;
  /** Validate Slack's block limits and answer `400 invalid_blocks` like Slack does (default true). */
  validateBlocks?: boolean;
}

/*
 * Slack's published limits for Block Kit in a message. Checking them here lets tests catch a formatter that
 * would be rejected by the real service.
 */
const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3000;
const MAX_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;
const MAX_CONTEXT_ELEMENTS = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textLength(value: unknown): number {
  return isRecord(value) && typeof value.text === 'string' ? value.text.length : -1;
}

/** Returns Slack's error code for a payload Slack would refuse, or null when it is acceptable. */
export function slackPayloadError(payload: unknown): string | null {
  if (!isRecord(payload)) return 'invalid_payload';
  const { text, blocks } = payload;
  if (blocks === undefined) return typeof text === 'string' && text !== '' ? null : 'no_text';
  if (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS) return 'invalid_blocks';
  for (const block of blocks as unknown[]) {
    if (!isRecord(block)) return 'invalid_blocks';
    if (block.type === 'section') {
      const length = textLength(block.text);
      const fields = block.fields;
      if (length === 0 || length > MAX_SECTION_TEXT) return 'invalid_blocks';
      if (length < 0 && fields === undefined) return 'invalid_blocks';
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length > MAX_FIELDS) return 'invalid_blocks';
        if ((fields as unknown[]).some((field) => textLength(field) < 1 || textLength(field) > MAX_FIELD_TEXT)) {
          return 'invalid_blocks';
        }
      }
    } else if (block.type === 'context') {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > MAX_CONTEXT_ELEMENTS) {
        return 'invalid_blocks';
      }
    } else if (block.type !== 'divider' && block.type !== 'header' && block.type !== 'actions') {
      return 'invalid_blocks';
    }
  }
  return null;
}

function answer(response: ServerResponse, status: number, body: string, retryAfterSeconds?: number): void {
  const headers: Record<string, string> = { 'content-type': 'text/html' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  response.writeHead(status, headers).end(body);
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startSlackStub(options: SlackStubOptions = {}): Promise<SlackStub> {
  const received: SlackStubRequest[] = [];
  const queue: SlackStubReply[] = [];
  let fixedDelayMs = options.delayMs ?? 0;
  const validateBlocks = options.validateBlocks ?? true;

  const server = createServer((request, response) => {
    void (async () => {
      const path = request.url ?? '/';
      if (!path.startsWith('/services/')) return answer(response, 404, 'no_service');
      if (request.method !== 'POST') return answer(response, 405, 'invalid_method');
      const rawBody = await readRequestBody(request);
      let payload: unknown = null;
      try {
        payload = JSON.parse(rawBody);
      } catch {
        payload = null;
      }
      const scripted = queue.shift();
      const validationError = validateBlocks ? slackPayloadError(payload) : null;
      const reply: SlackStubReply =
        scripted ?? (validationError === null ? { status: 200, body: 'ok' } : { status: 400, body: validationError });
      received.push({ at: Date.now(), path, headers: request.headers, rawBody, payload, status: reply.status });
      const wait = fixedDelayMs + (reply.delayMs ?? 0);
      if (wait > 0) await delay(wait);
      answer(response, reply.status, reply.body ?? '', reply.retryAfterSeconds);
    })().catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/services/T00000000/B00000000/stub-secret`,
    received,
    script: (...replies) => {
      queue.push(...replies);
    },
    setDelay: (delayMs) => {
      fixedDelayMs = delayMs;
    },
    waitFor: (predicate, timeoutMs = 2000) => waitFor(() => predicate(received), timeoutMs, 'Slack stub requests'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
