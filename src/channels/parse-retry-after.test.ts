import { describe, expect, it } from 'vitest';
import { parseRetryAfter, readRetryAfter } from './parse-retry-after.ts';

describe('parseRetryAfter', () => {
  it('when the header holds seconds, then they are returned as milliseconds', () => {
    expect(parseRetryAfter('2')).toBe(2000);
  });

  it('when the header holds an HTTP date, then the wait is the time until that date', () => {
    const now = new Date('2025-05-01T14:00:00Z');

    expect(parseRetryAfter('Thu, 01 May 2025 14:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 May 2025 13:59:00 GMT', now)).toBe(0);
  });

  it('when the header is missing or unreadable, then the wait defaults to one second', () => {
    expect(parseRetryAfter(null)).toBe(1000);
    expect(parseRetryAfter('')).toBe(1000);
    expect(parseRetryAfter('soon')).toBe(1000);
  });

  it('when the header asks for more than an hour, then the wait is capped at an hour', () => {
    expect(parseRetryAfter('86400')).toBe(3_600_000);
  });
});

describe('readRetryAfter', () => {
  it('when the header is missing or unreadable, then there is no wait to honour', () => {
    expect(readRetryAfter(undefined)).toBeUndefined();
    expect(readRetryAfter(' ')).toBeUndefined();
    expect(readRetryAfter('in a while')).toBeUndefined();
    expect(readRetryAfter('2')).toBe(2000);
  });
});
