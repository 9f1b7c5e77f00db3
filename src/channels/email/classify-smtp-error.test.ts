import { describe, expect, it } from 'vitest';
import { classifySmtpError } from './classify-smtp-error.ts';

function nodemailerError(fields: { code?: string; responseCode?: number; response?: string }): Error {
  return Object.assign(new Error('smtp failure'), fields);
}

describe('classifySmtpError', () => {
  it.each([421, 450, 451, 452, 454])('when the server replied %i, then the error is transient', (responseCode) => {
    expect(classifySmtpError(nodemailerError({ code: 'EMESSAGE', responseCode }))).toMatchObject({
      kind: 'transient',
      providerCode: `SMTP ${responseCode}`,
    });
  });

  it.each([550, 551, 552, 553, 554, 535])('when the server replied %i, then the error is permanent', (responseCode) => {
    expect(classifySmtpError(nodemailerError({ code: 'EENVELOPE', responseCode }))).toMatchObject({
      kind: 'permanent',
      providerCode: `SMTP ${responseCode}`,
    });
  });

  it('when the server replied 503 bad sequence, then the error is transient (a new session can succeed)', () => {
    expect(classifySmtpError(nodemailerError({ responseCode: 503 })).kind).toBe('transient');
  });

  it.each(['ETIMEDOUT', 'ECONNECTION', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET'])(
    'when the connection failed with %s, then the error is transient',
    (code) => {
      expect(classifySmtpError(nodemailerError({ code }))).toMatchObject({ kind: 'transient', providerCode: code });
    },
  );

  it.each(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'ETLS'])(
    'when nodemailer reports the configuration error %s without a reply, then the error is permanent',
    (code) => {
      expect(classifySmtpError(nodemailerError({ code }))).toMatchObject({ kind: 'permanent', providerCode: code });
    },
  );

  it('when the error is unknown, then it is retried as transient', () => {
    expect(classifySmtpError(new Error('boom'))).toMatchObject({ kind: 'transient', providerCode: 'unknown' });
  });
});
