import { describe, expect, it } from 'vitest';
import { classifyAnswer } from './classify-answer.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('classifyAnswer', () => {
  it.each([201, 200, 202])('when the server answers %i with the lead id, then the submission is acknowledged', (status) => {
    expect(classifyAnswer(status, { id: 'lead-1', duplicate: true }, null, NOW)).toEqual({ kind: 'acknowledged', id: 'lead-1' });
  });

  it('when a 200 carries no lead id (a captive portal, a proxy page), then it is retried, not forgotten', () => {
    expect(classifyAnswer(200, undefined, null, NOW)).toEqual({ kind: 'retry', retryAfterMs: undefined });
    expect(classifyAnswer(204, {}, null, NOW).kind).toBe('retry');
  });

  it('when the server refuses the body (400 with field errors), then it is refused with those errors', () => {
    const answer = classifyAnswer(
      400,
      { detail: 'email: is not a valid email address', errors: [{ path: 'email', message: 'is not a valid email address' }, { path: 7 }] },
      null,
      NOW,
    );
    expect(answer).toEqual({
      kind: 'refused',
      detail: 'email: is not a valid email address',
      errors: [{ path: 'email', message: 'is not a valid email address' }],
    });
  });

  it.each([413, 415, 422, 404])('when the server answers %i, then the submission is refused for good', (status) => {
    expect(classifyAnswer(status, undefined, null, NOW)).toEqual({
      kind: 'refused',
      detail: `the server refused the submission (${status})`,
      errors: [],
    });
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('when the server answers %i, then the submission is retried', (status) => {
    expect(classifyAnswer(status, { detail: 'busy' }, null, NOW).kind).toBe('retry');
  });

  it('when a 429 or 503 says Retry-After in seconds or as a date, then the wait is taken from it', () => {
    expect(classifyAnswer(429, undefined, '30', NOW)).toEqual({ kind: 'retry', retryAfterMs: 30_000 });
    expect(classifyAnswer(503, undefined, 'Tue, 01 Dec 2026 12:00:10 GMT', NOW)).toEqual({ kind: 'retry', retryAfterMs: 10_000 });
    expect(classifyAnswer(503, undefined, 'soon', NOW)).toEqual({ kind: 'retry', retryAfterMs: undefined });
  });
});
