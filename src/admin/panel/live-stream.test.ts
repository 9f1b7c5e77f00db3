import { describe, expect, it, vi } from 'vitest';
import type { StreamedEvent } from '../streamed-event.ts';
import { openLiveStream, type LiveStreamOptions } from './live-stream.ts';

interface Call {
  url: string;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** A fetch whose answers are scripted one per call: a status, or the text of a stream that then ends or stays open. */
function scriptedFetch(answers: ({ status: number } | { text: string; thenEnd: boolean } | Error)[]) {
  const calls: Call[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? new AbortController().signal;
    calls.push({ url: String(url), headers: { ...(init?.headers as Record<string, string>) }, signal });
    const answer = answers.shift() ?? { text: '', thenEnd: false };
    if (answer instanceof Error) throw answer;
    if ('status' in answer) return new Response('{}', { status: answer.status });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(answer.text));
        if (answer.thenEnd) controller.close();
        signal.addEventListener('abort', () => controller.error(signal.reason));
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

function options(fetch: typeof globalThis.fetch, overrides: Partial<LiveStreamOptions> = {}) {
  const seen = { events: [] as StreamedEvent[], opened: 0, reconnecting: 0, unauthorized: 0, delays: [] as number[] };
  const settings: LiveStreamOptions = {
    url: '/api/admin/stream',
    authorization: () => 'Bearer the-key',
    onOpen: () => (seen.opened += 1),
    onEvent: (event) => seen.events.push(event),
    onReconnecting: () => (seen.reconnecting += 1),
    onUnauthorized: () => (seen.unauthorized += 1),
    fetch,
    reconnectDelayMs: (attempt) => {
      seen.delays.push(attempt);
      return 0;
    },
    ...overrides,
  };
  return { settings, seen };
}

const event = (id: string) =>
  `id: ${id}\ndata: ${JSON.stringify({ id, event_type: 'lead.created', conversation_id: null, created_at: 'now' })}\n\n`;

describe('openLiveStream', () => {
  it('when the stream ends, then it reconnects with the bearer header and Last-Event-ID, and never puts the key in the URL', async () => {
    const { calls, fetch } = scriptedFetch([
      { text: `retry: 3000\n: connected\n\n${event('5')}${event('6')}`, thenEnd: true },
      { text: event('7'), thenEnd: false },
    ]);
    const { settings, seen } = options(fetch);
    const stream = openLiveStream(settings);
    await vi.waitFor(() => expect(seen.events.map((e) => e.id)).toEqual(['5', '6', '7']));
    stream.close();

    expect(calls.map((call) => call.url)).toEqual(['/api/admin/stream', '/api/admin/stream']);
    expect(calls[0]!.headers).toEqual({ authorization: 'Bearer the-key', accept: 'text/event-stream' });
    expect(calls[1]!.headers).toEqual({ authorization: 'Bearer the-key', accept: 'text/event-stream', 'last-event-id': '6' });
    expect(seen).toMatchObject({ opened: 2, reconnecting: 1, unauthorized: 0 });
  });

  it('when the key is refused, then it reports that once and stops trying', async () => {
    const { calls, fetch } = scriptedFetch([{ status: 401 }]);
    const { settings, seen } = options(fetch);
    openLiveStream(settings);
    await vi.waitFor(() => expect(seen.unauthorized).toBe(1));
    expect(calls).toHaveLength(1);
    expect(seen).toMatchObject({ opened: 0, reconnecting: 0 });
  });

  it('when connecting fails again and again, then the backoff grows, and starts over once a stream opened', async () => {
    const { fetch } = scriptedFetch([
      new TypeError('network down'),
      { status: 503 },
      { text: event('1'), thenEnd: true },
      { text: '', thenEnd: false },
    ]);
    const { settings, seen } = options(fetch);
    const stream = openLiveStream(settings);
    await vi.waitFor(() => expect(seen.opened).toBe(2));
    stream.close();
    expect(seen.delays).toEqual([1, 2, 0]);
  });

  it('when data is not JSON or is not an event, then it is skipped and the stream goes on', async () => {
    const { fetch } = scriptedFetch([
      { text: `data: not json\n\ndata: 42\n\nevent: other\ndata: {"event_type":"x"}\n\n${event('2')}`, thenEnd: false },
    ]);
    const { settings, seen } = options(fetch);
    const stream = openLiveStream(settings);
    await vi.waitFor(() => expect(seen.events).toHaveLength(1));
    stream.close();
    expect(seen.events[0]).toMatchObject({ id: '2', event_type: 'lead.created' });
  });

  it('when closed, then the open request is aborted and nothing reconnects', async () => {
    const { calls, fetch } = scriptedFetch([{ text: ': connected\n\n', thenEnd: false }]);
    const { settings, seen } = options(fetch);
    const stream = openLiveStream(settings);
    await vi.waitFor(() => expect(seen.opened).toBe(1));
    stream.close();
    expect(calls[0]!.signal.aborted).toBe(true);
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    expect(seen.reconnecting).toBe(0);
  });
});
