import { describe, expect, it } from 'vitest';
import { classifyGraphError, retryAfterFromUsageHeader } from './classify-graph-error.ts';

const noHeaders = { get: () => null };
const graphError = (code: number, extra: Record<string, unknown> = {}) => ({
  error: { message: `(#${code}) something`, type: 'OAuthException', code, fbtrace_id: 'AbCdEf123', ...extra },
});

describe('classifyGraphError', () => {
  it('when the token expired (190/463), then it is a token problem and the message names the code and trace id', () => {
    const error = classifyGraphError(
      400,
      graphError(190, { error_subcode: 463, message: 'Error validating access token: Session has expired' }),
      noHeaders,
    );
    expect(error.kind).toBe('token');
    expect(error.code).toBe(190);
    expect(error.message).toBe('Graph API error 190/463: Error validating access token: Session has expired (fbtrace_id AbCdEf123)');
  });

  it.each([4, 17, 32, 613, 80005])('when Meta answers rate-limit code %i (even as OAuthException), then it is rate_limited', (code) => {
    expect(classifyGraphError(400, graphError(code), noHeaders).kind).toBe('rate_limited');
  });

  it('when the usage header estimates minutes to regain access, then the wait is that long', () => {
    const header = JSON.stringify({ '123': [{ type: 'leadgen', call_count: 100, estimated_time_to_regain_access: 7 }] });
    const error = classifyGraphError(400, graphError(80005), { get: (name) => (name === 'x-business-use-case-usage' ? header : null) });
    expect(error.retryAfterSeconds).toBe(420);
    expect(retryAfterFromUsageHeader('not json')).toBeUndefined();
  });

  it('when Meta has a hiccup (code 2, is_transient, 5xx, no JSON), then it is transient', () => {
    expect(classifyGraphError(500, graphError(2), noHeaders).kind).toBe('transient');
    expect(classifyGraphError(400, graphError(1234, { is_transient: true }), noHeaders).kind).toBe('transient');
    expect(classifyGraphError(502, undefined, noHeaders).kind).toBe('transient');
  });

  it('when the lead does not exist (100/33), then it is permanent', () => {
    expect(classifyGraphError(400, graphError(100, { error_subcode: 33, type: 'GraphMethodException' }), noHeaders).kind).toBe('permanent');
  });

  it('when the message echoes the access token, then the token is redacted', () => {
    const error = classifyGraphError(400, graphError(190, { message: 'Malformed access token EAAtoken123' }), noHeaders, 'EAAtoken123');
    expect(error.message).not.toContain('EAAtoken123');
  });
});
