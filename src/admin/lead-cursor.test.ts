import { describe, expect, it } from 'vitest';
import { decodeLeadCursor, encodeLeadCursor } from './lead-cursor.ts';
import { escapeLikePattern } from './escape-like-pattern.ts';

describe('lead cursor', () => {
  it('when a cursor is encoded and decoded, then the microsecond timestamp and id survive exactly', () => {
    const cursor = { createdAt: '2025-03-04T05:06:07.123456Z', id: '8f6f1f7e-5b7a-4c1e-9a55-3c1f7a0d2b11' };
    const text = encodeLeadCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeLeadCursor(text)).toEqual(cursor);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['wrong shape', Buffer.from(JSON.stringify({ createdAt: 'x' })).toString('base64url')],
    ['a bad id', Buffer.from(JSON.stringify(['2025-03-04T05:06:07Z', 'nope'])).toString('base64url')],
    [
      'a bad time',
      Buffer.from(JSON.stringify(["2025-03-04'; DROP TABLE x", '8f6f1f7e-5b7a-4c1e-9a55-3c1f7a0d2b11'])).toString('base64url'),
    ],
  ])('when the cursor is %s, then it is rejected', (_label, text) => {
    expect(decodeLeadCursor(text)).toBeUndefined();
  });
});

describe('escapeLikePattern', () => {
  it('when text holds LIKE wildcards or backslashes, then each is escaped to match literally', () => {
    expect(escapeLikePattern('50%_off\\now')).toBe('50\\%\\_off\\\\now');
    expect(escapeLikePattern('plain text')).toBe('plain text');
  });
});
