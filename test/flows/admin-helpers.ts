/** Helpers of the admin flow tests, which call the routes of a Leadline as main.ts wires it (startTestLeadline). */
export interface EventStreamReader {
  status: number;
  contentType: string | null;
  events: { id: string; data: Record<string, unknown> }[];
  comments: string[];
  /** Resolves when the stream ends: `server` when the server ended it, `client` when close() aborted it. */
  ended: Promise<'server' | 'client'>;
  close(): void;
}

/** A minimal Server-Sent Events client over fetch, recording events and comment lines as they arrive. */
export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStreamReader> {
  const controller = new AbortController();
  let closedByClient = false;
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const reader: EventStreamReader = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events: [],
    comments: [],
    ended: Promise.resolve('client'),
    close: () => {
      closedByClient = true;
      controller.abort();
    },
  };
  if (!response.body || response.status !== 200) {
    await response.arrayBuffer().catch(() => undefined);
    return reader;
  }
  const body = response.body.pipeThrough(new TextDecoderStream()).getReader();
  reader.ended = (async (): Promise<'server' | 'client'> => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value: chunk } = await body.read();
        if (done) break;
        buffer += chunk;
        let boundary = buffer.indexOf('\n\n');
        while (boundary >= 0) {
          const frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          let id = '';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) reader.comments.push(line.slice(1).trim());
            else if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trim());
          }
          if (data.length > 0) reader.events.push({ id, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
          boundary = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by close(), or the connection was cut: told apart below
    }
    return closedByClient ? 'client' : 'server';
  })();
  return reader;
}
