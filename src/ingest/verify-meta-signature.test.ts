import { describe, expect, it } from 'vitest';
import { checkMetaSignatureHeader, signMetaBody, verifyMetaSignature } from './verify-meta-signature.ts';

const secret = 'app-secret-for-tests';
const body = Buffer.from('{"object":"page","entry":[{"changes":[{"field":"leadgen","value":{"leadgen_id":12345678901234567}}]}]}');

describe('verifyMetaSignature', () => {
  it('when the header is the HMAC of the exact bytes, then it verifies (hex in either case)', () => {
    expect(verifyMetaSignature(body, signMetaBody(body, secret), secret)).toEqual({ ok: true });
    expect(verifyMetaSignature(body, signMetaBody(body, secret).toUpperCase().replace('SHA256=', 'sha256='), secret)).toEqual({ ok: true });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['short', 'sha256=abcdef'],
    ['sha1 prefix', `sha1=${'a'.repeat(40)}`],
    ['forged', `sha256=${'0'.repeat(64)}`],
    ['another secret', signMetaBody(body, 'other-secret')],
    ['re-serialised body', signMetaBody(JSON.stringify(JSON.parse(body.toString())), secret)],
  ])('when the signature is %s, then it is refused with a reason', (_label, header) => {
    const verdict = verifyMetaSignature(body, header, secret);
    expect(verdict.ok).toBe(false);
    expect(verdict).toHaveProperty('reason');
  });

  it('when only X-Hub-Signature (SHA-1) is present, then the reason says SHA-1 is not accepted', () => {
    expect(checkMetaSignatureHeader(undefined, `sha1=${'a'.repeat(40)}`)).toEqual({ ok: false, reason: expect.stringContaining('SHA-1') });
  });
});
