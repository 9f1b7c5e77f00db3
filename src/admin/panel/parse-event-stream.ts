/** One dispatched Server-Sent Event. */
export interface ServerSentEvent {
  /** The last `id:` seen up to this event (it carries over to later events, as the spec says). */
  id: string;
  /** `event:`, or `message` when the server gave none. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
}

export interface EventStreamParser {
  /** Feeds the next piece of decoded text; returns the events it completed, in order. */
  push(text: string): ServerSentEvent[];
  /** The id to resume from (`Last-Event-ID`), including an `id:` of a block with no data. */
  lastEventId(): string;
  /** The reconnection delay the server last asked for with `retry:`, in milliseconds. */
  retryMs(): number | undefined;
}

/**
 * The `text/event-stream` format as the HTML standard parses it: lines end in CRLF, LF or CR (a CR at the
 * end of a chunk waits for the next chunk, which may start with its LF); a blank line dispatches the event
 * built so far; `:` starts a comment (our heartbeats); one space after the colon is dropped; unknown fields
 * are ignored. An event still being built when the stream ends is dropped, also as the standard says.
 */
export function createEventStreamParser(resumeFromId = ''): EventStreamParser {
  let buffer = '';
  let atStart = true;
  let data: string[] = [];
  let eventType = '';
  let lastId = resumeFromId;
  let retry: number | undefined;

  const takeLine = (line: string, out: ServerSentEvent[]) => {
    if (line === '') {
      if (data.length > 0) out.push({ id: lastId, event: eventType || 'message', data: data.join('\n') });
      data = [];
      eventType = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') eventType = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  };

  return {
    push(text) {
      buffer += text;
      if (atStart && buffer.length > 0) {
        atStart = false;
        if (buffer.startsWith('\uFEFF')) buffer = buffer.slice(1);
      }
      const out: ServerSentEvent[] = [];
      let lineStart = 0;
      for (let i = 0; i < buffer.length; i += 1) {
        const char = buffer[i];
        if (char !== '\n' && char !== '\r') continue;
        if (char === '\r' && i === buffer.length - 1) break;
        takeLine(buffer.slice(lineStart, i), out);
        if (char === '\r' && buffer[i + 1] === '\n') i += 1;
        lineStart = i + 1;
      }
      buffer = buffer.slice(lineStart);
      return out;
    },
    lastEventId: () => lastId,
    retryMs: () => retry,
  };
}
