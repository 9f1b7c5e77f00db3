import { describe, expect, it } from 'vitest';
import { createEventStreamParser } from './parse-event-stream.ts';

describe('createEventStreamParser', () => {
  it('when the server sends what stream-lead-events writes, then the retry hint is kept, comments are skipped and each event comes out once', () => {
    const parser = createEventStreamParser();
    const events = parser.push(
      'retry: 3000\n: connected\n\n: heartbeat\n\nid: 41\ndata: {"id":"41","event_type":"lead.created"}\n\nid: 42\ndata: {"id":"42"}\n\n',
    );
    expect(events).toEqual([
      { id: '41', event: 'message', data: '{"id":"41","event_type":"lead.created"}' },
      { id: '42', event: 'message', data: '{"id":"42"}' },
    ]);
    expect(parser.retryMs()).toBe(3000);
    expect(parser.lastEventId()).toBe('42');
  });

  it('when an event is split across chunks anywhere, even between CR and LF, then it is dispatched whole once its blank line arrives', () => {
    const text = 'id: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut += 1) {
      const parser = createEventStreamParser();
      const first = parser.push(text.slice(0, cut));
      const second = parser.push(text.slice(cut));
      expect([...first, ...second], `cut at ${cut}`).toEqual([{ id: '7', event: 'message', data: '{"a":\n1}' }]);
    }
  });

  it('when lines end in LF, CRLF or a lone CR, then all three end a line', () => {
    const parser = createEventStreamParser();
    expect(parser.push('data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\n')).toEqual([
      { id: '', event: 'message', data: 'a' },
      { id: '', event: 'message', data: 'b' },
      { id: '', event: 'message', data: 'c' },
    ]);
    expect(parser.push('\n')).toEqual([{ id: '', event: 'message', data: 'd' }]);
  });

  it('when fields are written without a space, with two spaces, or without a value, then exactly one leading space is dropped', () => {
    const parser = createEventStreamParser();
    expect(parser.push('data:x\ndata:  y\ndata\nevent:custom\n\n')).toEqual([{ id: '', event: 'custom', data: 'x\n y\n' }]);
  });

  it('when a block has an id but no data, then nothing is dispatched but the id still counts for resuming', () => {
    const parser = createEventStreamParser('5');
    expect(parser.lastEventId()).toBe('5');
    expect(parser.push('id: 9\n\n')).toEqual([]);
    expect(parser.lastEventId()).toBe('9');
    expect(parser.push('data: later\n\n')).toEqual([{ id: '9', event: 'message', data: 'later' }]);
  });

  it('when an id holds NUL, a retry is not a number, or a field is unknown, then they are ignored', () => {
    const parser = createEventStreamParser();
    expect(parser.push('id: 1\n\nid: 2\0x\nretry: soon\nfoo: bar\ndata: z\n\n')).toEqual([{ id: '1', event: 'message', data: 'z' }]);
    expect(parser.retryMs()).toBeUndefined();
  });

  it('when the stream starts with a byte-order mark, then the first field is still read', () => {
    expect(createEventStreamParser().push('\uFEFFdata: first\n\n')).toEqual([{ id: '', event: 'message', data: 'first' }]);
  });

  it('when the stream stops in the middle of an event, then that event is not dispatched', () => {
    const parser = createEventStreamParser();
    expect(parser.push('id: 3\ndata: half')).toEqual([]);
    expect(parser.push('')).toEqual([]);
  });
});
