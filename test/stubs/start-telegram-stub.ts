/**
 * A local Telegram Bot API on 127.0.0.1: `/bot<token>/sendMessage` and `/bot<token>/getMe`, with the real
 * response shapes and error texts. `parse_mode: 'HTML'` is validated like Telegram does (see
 * parse-telegram-html.ts), so an escaping bug fails a test with "can't parse entities". Replies can be
 * scripted (429 with retry_after, chat migrated to a supergroup, bot blocked, 5xx) and chats can be migrated.
 */
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTelegramHtml } from './parse-telegram-html.ts';
import { readRequestBody } from './read-request-body.ts';
import { waitFor } from './wait-for.ts';

export interface TelegramStubReply {
  /** Telegram's `error_code`, also the HTTP status. */
  errorCode: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
  /** The method the reply is for; the default is `sendMessage`. */
  method?: string;
  delayMs?: number;
}

/** `429 Too Many Requests: retry after N`, as Telegram sends it. */
export const tooManyRequests = (retryAfterSeconds: number): TelegramStubReply => ({
  errorCode: 429,
  description: `Too Many Requests: retry after ${retryAfterSeconds}`,
  parameters: { retry_after: retryAfterSeconds },
});
export const botBlocked = (): TelegramStubReply => ({
  errorCode: 403,
  description: 'Forbidden: bot was blocked by the user',
});
export const chatNotFound = (): TelegramStubReply => ({ errorCode: 400, description: 'Bad Request: chat not found' });
/** Telegram's front end answers an outage with an HTML 502 page, not JSON. */
export const badGateway = (): TelegramStubReply => ({ errorCode: 502, description: 'Bad Gateway' });

export interface TelegramStubRequest {
  at: number;
  method: string;
  contentType: string | undefined;
  /** The request parameters (JSON body, form body or query string). */
  params: Record<string, unknown>;
  /** Whether the stub answered `ok: true`. */
  ok: boolean;
  /** The error description when `ok` is false. */
  description: string | undefined;
  /** For accepted messages: the text as Telegram would store it, markup parsed away. */
  text: string | undefined;
}

export interface TelegramStub {
  /** Pass as telegraf's `apiRoot`. */
  apiRoot: string;
  token: string;
  received: TelegramStubRequest[];
  /** Only the `sendMessage` calls that were accepted. */
  readonly sent: TelegramStubRequest[];
  script(...replies: TelegramStubReply[]): void;
  /** From now on, messages to `fromChatId` fail with migrate_to_chat_id, as for an upgraded group. */
  migrateChat(fromChatId: string, toChatId: number): void;
  setDelay(delayMs: number): void;
  waitFor(predicate: (received: TelegramStubRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TelegramStubOptions {
  token?: string;
  delayMs?: number;
}

/** Telegram's own limit on a message's text after entity parsing. */
const MAX_MESSAGE_CHARS = 4096;
const BOT = { id: 7000000001, is_bot: true, first_name: 'Leadline Stub', username: 'leadline_stub_bot' };

function chatType(chatId: string): string {
  if (chatId.startsWith('-100')) return 'supergroup';
  if (chatId.startsWith('-')) return 'group';
  if (chatId.startsWith('@')) return 'channel';
  return 'private';
}

function parseParams(contentType: string | undefined, body: string, query: URLSearchParams): Record<string, unknown> | null {
  const params: Record<string, unknown> = Object.fromEntries(query.entries());
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body === '') return params;
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
      return { ...params, ...(parsed as Record<string, unknown>) };
    } catch {
      return null;
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = Object.fromEntries(new URLSearchParams(body).entries());
    // Form values are strings; nested objects arrive JSON-encoded, like Telegram reads them.
    for (const [key, value] of Object.entries(form)) {
      params[key] = value.startsWith('{') ? (JSON.parse(value) as unknown) : value;
    }
    return params;
  }
  return null;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startTelegramStub(options: TelegramStubOptions = {}): Promise<TelegramStub> {
  const token = options.token ?? '123456789:AAStubTokenForLocalTestsOnly';
  const received: TelegramStubRequest[] = [];
  const queue: TelegramStubReply[] = [];
  const migrated = new Map<string, number>();
  let fixedDelayMs = options.delayMs ?? 0;
  let nextMessageId = 1;

  function takeScripted(method: string): TelegramStubReply | undefined {
    const index = queue.findIndex((entry) => (entry.method ?? 'sendMessage') === method);
    return index === -1 ? undefined : queue.splice(index, 1)[0];
  }

  /** Telegram's checks for sendMessage, in its order; returns the error or the stored text. */
  function checkSendMessage(params: Record<string, unknown>): TelegramStubReply | { text: string } {
    const chatId = params.chat_id === undefined ? '' : String(params.chat_id);
    if (chatId === '') return { errorCode: 400, description: 'Bad Request: chat_id is empty' };
    const migratedTo = migrated.get(chatId);
    if (migratedTo !== undefined) {
      return {
        errorCode: 400,
        description: 'Bad Request: group chat was upgraded to a supergroup chat',
        parameters: { migrate_to_chat_id: migratedTo },
      };
    }
    const raw = typeof params.text === 'string' ? params.text : '';
    let text = raw;
    const parseMode = typeof params.parse_mode === 'string' ? params.parse_mode : '';
    if (parseMode.toLowerCase() === 'html') {
      const parsed = parseTelegramHtml(raw);
      if (!parsed.ok) return { errorCode: 400, description: `Bad Request: can't parse entities: ${parsed.error}` };
      text = parsed.text;
    } else if (parseMode !== '') {
      return { errorCode: 400, description: 'Bad Request: unsupported parse_mode' };
    }
    text = text.trim();
    if (text === '') return { errorCode: 400, description: 'Bad Request: message text is empty' };
    if (text.length > MAX_MESSAGE_CHARS) return { errorCode: 400, description: 'Bad Request: message is too long' };
    return { text };
  }

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      const body = await readRequestBody(request);
      if (match === null) return reply(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
      const [, presentedToken, method = ''] = match;
      if (presentedToken !== token) return reply(response, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      const contentType = request.headers['content-type'];
      const params = parseParams(contentType, body, url.searchParams);
      const record = (ok: boolean, description?: string, text?: string): void => {
        received.push({ at: Date.now(), method, contentType, params: params ?? {}, ok, description, text });
      };
      const scripted = takeScripted(method);
      // Recorded on arrival, answered after the delay: `at` is when the provider got the request.
      const wait = fixedDelayMs + (scripted?.delayMs ?? 0);
      const answer = async (write: () => void): Promise<void> => {
        if (wait > 0) await delay(wait);
        write();
      };

      if (params === null) {
        record(false, 'Bad Request: unsupported request body');
        return answer(() => reply(response, 400, { ok: false, error_code: 400, description: 'Bad Request: unsupported request body' }));
      }
      let outcome: TelegramStubReply | { text: string } | { result: unknown };
      if (scripted !== undefined) outcome = scripted;
      else if (method === 'getMe')
        outcome = {
          result: { ...BOT, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false },
        };
      else if (method === 'sendMessage') outcome = checkSendMessage(params);
      else outcome = { errorCode: 404, description: 'Not Found: method not found' };

      if ('errorCode' in outcome) {
        const failure = outcome;
        record(false, failure.description);
        if (failure.errorCode >= 500) {
          return answer(() => {
            response.writeHead(failure.errorCode, { 'content-type': 'text/html' });
            response.end(`<html><head><title>${failure.errorCode} ${failure.description}</title></head></html>`);
          });
        }
        return answer(() =>
          reply(response, failure.errorCode, {
            ok: false,
            error_code: failure.errorCode,
            description: failure.description,
            ...(failure.parameters === undefined ? {} : { parameters: failure.parameters }),
          }),
        );
      }
      if ('result' in outcome) {
        const { result } = outcome;
        record(true);
        return answer(() => reply(response, 200, { ok: true, result }));
      }
      const chatId = String(params.chat_id);
      record(true, undefined, outcome.text);
      const numericId = Number(chatId);
      const result = {
        message_id: nextMessageId++,
        from: BOT,
        chat: { id: Number.isNaN(numericId) ? chatId : numericId, type: chatType(chatId) },
        date: Math.floor(Date.now() / 1000),
        text: outcome.text,
      };
      return answer(() => reply(response, 200, { ok: true, result }));
    })().catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    received,
    get sent() {
      return received.filter((entry) => entry.method === 'sendMessage' && entry.ok);
    },
    script: (...replies) => {
      queue.push(...replies);
    },
    migrateChat: (fromChatId, toChatId) => {
      migrated.set(fromChatId, toChatId);
    },
    setDelay: (delayMs) => {
      fixedDelayMs = delayMs;
    },
    waitFor: (predicate, timeoutMs = 2000) => waitFor(() => predicate(received), timeoutMs, 'Telegram stub requests'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
