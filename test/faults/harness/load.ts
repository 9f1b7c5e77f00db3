/**
 * A steady capture load: N requests a second for a duration, open loop (a request is sent when it is due,
 * whether or not earlier ones were answered, the way independent visitors arrive). Every request carries a
 * unique email, a unique name and a unique `Idempotency-Key`, and every one is recorded in the ledger with
 * its answer or its error. A request that gets no answer within the timeout (10 s) is cut and recorded as a
 * timeout.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Ledger, LedgerEntry, RequestError } from './ledger.ts';

export const CAPTURE_ROUTES = ['/api/leads', '/api/submit-contact', '/api/property-inquiry', '/api/chatbot/leads'] as const;
export type CaptureRoute = (typeof CAPTURE_ROUTES)[number];

/** The client-side limit on one request; a request cut here is a `timeout` in the ledger. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Lead names look like `fault-k3x9-000042`: short (a compact Telegram summary cuts names at 24 characters) and
 * unique, so the checker can find a lead in a provider message even when the message carries no link.
 */
export const LEAD_NAME_PATTERN = /\bfault-[a-z0-9]{4}-\d{6}\b/g;

let sequence = 0;

/** A short random tag for one run, so names never collide across runs on one database. */
export function newRunTag(): string {
  return randomBytes(3)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .padEnd(4, '0')
    .slice(0, 4);
}

function bodyFor(route: CaptureRoute, name: string, email: string): Record<string, unknown> {
  const message = `Fault-suite lead ${name}: please call back about a quote`;
  switch (route) {
    case '/api/leads':
      return { name, email, message, source: 'fault-suite' };
    case '/api/submit-contact':
      return { name, email, message, subject: 'Quote' };
    case '/api/property-inquiry':
      return { name, email, property_id: 'loft-12', message };
    case '/api/chatbot/leads':
      return { name, email, messages: [{ role: 'user', content: message }] };
  }
}

/** One keep-alive agent for the load, with room for every request a 5 s stall can hold open at once. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

function classify(error: NodeJS.ErrnoException): RequestError {
  if (error.code === 'ECONNREFUSED') return 'refused';
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.message === 'socket hang up') return 'reset';
  return 'other';
}

export interface SendOptions {
  /** A run tag from `newRunTag()`: part of every name. */
  tag: string;
  route?: CaptureRoute;
  timeoutMs?: number;
}

/**
 * Sends one capture request and records it in the ledger; resolves (never rejects) once the request is answered
 * or failed, with its ledger entry.
 */
export function sendCapture(ledger: Ledger, baseUrl: string, options: SendOptions): Promise<LedgerEntry> {
  const seq = ++sequence;
  const route = options.route ?? CAPTURE_ROUTES[seq % CAPTURE_ROUTES.length]!;
  const name = `fault-${options.tag}-${String(seq).padStart(6, '0')}`;
  const email = `${name}@example.com`;
  const requestId = `${name}-${randomBytes(3).toString('hex')}`;
  const idempotencyKey = `${requestId}-key`;
  const payload = JSON.stringify(bodyFor(route, name, email));
  const url = new URL(route, baseUrl);
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;

  return new Promise<LedgerEntry>((resolve) => {
    let settled = false;
    ledger.sent({ requestId, idempotencyKey, route, name, email });
    const settle = (finish: () => LedgerEntry) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(finish());
    };
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'idempotency-key': idempotencyKey,
          'x-request-id': requestId,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error: NodeJS.ErrnoException) =>
          settle(() => ledger.failed(requestId, classify(error), error.code ?? error.message)),
        );
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          const retryAfter = response.headers['retry-after'];
          settle(() => ledger.answered(requestId, { status: response.statusCode ?? 0, body, retryAfter }));
        });
      },
    );
    const timer = setTimeout(() => {
      settle(() => ledger.failed(requestId, 'timeout', `no answer within ${timeoutMs} ms`));
      request.destroy();
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle(() => ledger.failed(requestId, classify(error), error.code ?? error.message)),
    );
    request.end(payload);
  });
}

export interface LoadOptions extends Omit<SendOptions, 'route'> {
  /** The service's base URL; a function when it can change (a restart on another port). */
  target: string | (() => string);
  ratePerSecond: number;
  durationMs: number;
  ledger: Ledger;
  /** Routes to rotate through (default: all four capture routes). */
  routes?: readonly CaptureRoute[];
}

export interface LoadRun {
  /** Resolves when the load has ended and every request it sent is answered or failed. */
  done: Promise<LedgerEntry[]>;
  /** Ends the load early (requests in flight still complete). */
  stop(): void;
  /** Requests sent so far. */
  sent(): number;
}

/** How often the scheduler looks for due requests; 5 ms keeps the spacing even at hundreds per second. */
const TICK_MS = 5;

/** Starts a steady load; the i-th request goes out at start + i / rate. */
export function startLoad(options: LoadOptions): LoadRun {
  const routes = options.routes ?? CAPTURE_ROUTES;
  const target = typeof options.target === 'string' ? () => options.target as string : options.target;
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.floor((options.durationMs / 1000) * options.ratePerSecond);
  const startedAt = Date.now();
  const inFlight: Promise<LedgerEntry>[] = [];
  let stopped = false;
  let finish: () => void = () => {};
  const ended = new Promise<void>((resolve) => (finish = resolve));

  const tick = () => {
    const due = stopped ? inFlight.length : Math.min(total, Math.floor((Date.now() - startedAt) / intervalMs) + 1);
    while (inFlight.length < due) {
      const route = routes[inFlight.length % routes.length]!;
      inFlight.push(
        sendCapture(options.ledger, target(), {
          tag: options.tag,
          route,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        }),
      );
    }
    if (stopped || inFlight.length >= total) {
      clearInterval(timer);
      finish();
    }
  };
  const timer = setInterval(tick, TICK_MS);
  tick();

  return {
    done: ended.then(() => Promise.all(inFlight)),
    stop: () => {
      stopped = true;
      tick();
    },
    sent: () => inFlight.length,
  };
}

/** Runs a steady load to its end. */
export function runLoad(options: LoadOptions): Promise<LedgerEntry[]> {
  return startLoad(options).done;
}
