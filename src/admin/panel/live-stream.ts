import type { StreamedEvent } from '../streamed-event.ts';
import { createEventStreamParser } from './parse-event-stream.ts';

export interface LiveStreamOptions {
  url: string;
  /** The `Authorization` header value, read on every (re)connect so a new key is picked up. */
  authorization: () => string;
  /** The stream is open (HTTP 200): what happened while it was down must be re-read now. */
  onOpen: () => void;
  onEvent: (event: StreamedEvent) => void;
  /** The stream dropped or could not open; it is retried with backoff. */
  onReconnecting: () => void;
  /** 401: the key is not accepted; the stream stays closed. */
  onUnauthorized: () => void;
  /** For tests: the fetch to use and the delay before reconnect attempt `n` (0 after a stream that opened). */
  fetch?: typeof fetch;
  reconnectDelayMs?: (attempt: number, serverRetryMs: number | undefined) => number;
}

export interface LiveStream {
  close(): void;
}

/** Before the server's `retry:` hint arrives. */
const INITIAL_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/**
 * The server sends a heartbeat comment every 15 s (HEARTBEAT_INTERVAL_MS in stream-lead-events.ts). A
 * connection that stays silent three times as long is dead without having closed (a laptop woke up on
 * another network, a proxy dropped it): abort it and reconnect.
 */
const SILENCE_TIMEOUT_MS = 45_000;

/**
 * Doubling from the server's `retry:` hint (3 s) up to 30 s, with jitter so panels that lost the same
 * server do not all come back in the same millisecond.
 */
export function backoffDelayMs(attempt: number, serverRetryMs: number | undefined): number {
  const ceiling = Math.min(MAX_RETRY_MS, (serverRetryMs ?? INITIAL_RETRY_MS) * 2 ** attempt);
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

/**
 * `GET /api/admin/stream` read with fetch, because EventSource cannot send the Authorization header and the
 * key must never be in a URL. Does what EventSource does: parses the event stream, reconnects, and resumes
 * with `Last-Event-ID`; plus backoff between failed attempts and a silence watchdog.
 */
export function openLiveStream(options: LiveStreamOptions): LiveStream {
  const fetchStream = options.fetch ?? ((input, init) => fetch(input, init));
  const delayFor = options.reconnectDelayMs ?? backoffDelayMs;
  let closed = false;
  let connection: AbortController | undefined;
  let wakeUp: (() => void) | undefined;
  let lastEventId = '';
  let serverRetryMs: number | undefined;

  /**
   * One connection, until it ends: 'refused' for a 401, 'ended' when the server closed it; throws when it
   * could not open or broke off. `onOpened` runs once the server said 200.
   */
  async function readOnce(onOpened: () => void): Promise<'refused' | 'ended'> {
    const abort = new AbortController();
    connection = abort;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heardFrom = () => {
      clearTimeout(silence);
      silence = setTimeout(() => abort.abort(new Error('the live stream went silent')), SILENCE_TIMEOUT_MS);
    };
    const headers: Record<string, string> = { authorization: options.authorization(), accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    try {
      heardFrom();
      const response = await fetchStream(options.url, { headers, signal: abort.signal, cache: 'no-store' });
      if (response.status === 401) {
        await response.body?.cancel();
        return 'refused';
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw new Error(`the live stream answered HTTP ${response.status}`);
      }
      onOpened();
      options.onOpen();
      const parser = createEventStreamParser(lastEventId);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || closed) return 'ended';
        heardFrom();
        const events = parser.push(value);
        lastEventId = parser.lastEventId();
        serverRetryMs = parser.retryMs() ?? serverRetryMs;
        for (const event of events) if (event.event === 'message') dispatch(event.data);
      }
    } finally {
      clearTimeout(silence);
    }
  }

  function dispatch(data: string): void {
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return; // not an event we understand
    }
    if (typeof event === 'object' && event !== null && 'event_type' in event) options.onEvent(event as StreamedEvent);
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  void (async () => {
    let failures = 0;
    while (!closed) {
      let opened = false;
      try {
        const outcome = await readOnce(() => {
          opened = true;
        });
        if (outcome === 'refused') {
          if (!closed) options.onUnauthorized();
          return;
        }
      } catch {
        // could not open, broke off or went silent: try again below
      }
      if (closed) return;
      failures = opened ? 0 : failures + 1;
      options.onReconnecting();
      await pause(delayFor(failures, serverRetryMs));
    }
  })();

  return {
    close() {
      closed = true;
      connection?.abort();
      wakeUp?.();
    },
  };
}
