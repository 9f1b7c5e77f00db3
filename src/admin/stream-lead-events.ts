import type { Request, RequestHandler } from 'express';
import type { Queryable } from '../db/create-pool.ts';
import type { LeadEventHub } from './create-lead-event-hub.ts';
import { listEventsSince } from './list-events-since.ts';
import type { StreamedEvent } from './streamed-event.ts';

export interface StreamLeadEventsDeps {
  db: Queryable;
  hub: LeadEventHub;
  /** A comment line this often keeps proxies and load balancers from closing an idle stream. */
  heartbeatIntervalMs?: number;
}

export const HEARTBEAT_INTERVAL_MS = 15_000;

/** Events replayed to a browser that comes back with `Last-Event-ID`; the panel reloads its lists anyway. */
const RESUME_LIMIT = 500;

/** How long a new stream waits for the shared LISTEN before it opens anyway (the hub keeps retrying). */
const LISTEN_WAIT_MS = 5_000;

/**
 * A browser that stops reading (a laptop lid closed) must not make the server buffer without end: past this,
 * the stream is closed and the browser reconnects with `Last-Event-ID`.
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * The browser sends back the last `id:` it saw as `Last-Event-ID`. There is no query-string form: a client
 * that cannot set headers cannot send the admin key either (requireAdminKey takes it from the header only).
 */
function readLastEventId(req: Request): string | undefined {
  const value = (req.get('last-event-id') ?? '').trim();
  return /^\d{1,18}$/.test(value) ? value : undefined;
}

/**
 * `GET /api/admin/stream`: Server-Sent Events, one per new `lead_events` row, as
 * `id: <event id>` + `data: {"id","event_type","conversation_id","created_at"}`. Subscribes before reading
 * the resume backlog, holding live events until the backlog is out, so nothing falls between the two.
 */
export function streamLeadEvents(deps: StreamLeadEventsDeps): RequestHandler {
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
  return async (req, res) => {
    const lastEventId = readLastEventId(req);
    const held: StreamedEvent[] = [];
    const resumedIds = new Set<string>();
    let live = false;
    let closed = false;
    let unsubscribe = () => {};
    let heartbeat: NodeJS.Timeout | undefined = undefined; // set once the stream is live; close() may run first

    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    };
    const write = (chunk: string) => {
      if (closed || !res.headersSent) return;
      res.write(chunk);
      if (res.writableLength > MAX_BUFFERED_BYTES) close();
    };
    const send = (event: StreamedEvent) => {
      if (resumedIds.has(event.id)) return;
      write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
    };

    unsubscribe = deps.hub.subscribe({
      onEvent: (event) => (live ? send(event) : held.push(event)),
      onClose: close,
    });
    heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatIntervalMs);
    res.on('close', close);

    // Opening the stream before LISTEN is in place would let a lead slip by unseen.
    await deps.hub.whenListening(LISTEN_WAIT_MS).catch(() => undefined);
    if (closed) return;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to.
      'X-Accel-Buffering': 'no',
    });
    write('retry: 3000\n: connected\n\n');

    if (lastEventId !== undefined) {
      for (const event of await listEventsSince(deps.db, lastEventId, RESUME_LIMIT)) {
        send(event);
        resumedIds.add(event.id);
      }
    }
    live = true;
    for (const event of held.splice(0)) send(event);
  };
}
