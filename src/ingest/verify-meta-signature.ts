import { createHmac, timingSafeEqual } from 'node:crypto';

export type MetaSignatureVerdict = { ok: true } | { ok: false; reason: string };

const SIGNATURE_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks the `X-Hub-Signature-256` header's shape, before the body is read: anything that can never verify
 * is refused without buffering up to a megabyte. SHA-1 (`X-Hub-Signature`) alone is not accepted.
 */
export function checkMetaSignatureHeader(header: string | undefined, sha1Header: string | undefined): MetaSignatureVerdict {
  if (header === undefined || header.trim() === '') {
    return {
      ok: false,
      reason: sha1Header
        ? 'only X-Hub-Signature (SHA-1) was sent; X-Hub-Signature-256 is required'
        : 'the X-Hub-Signature-256 header is missing',
    };
  }
  if (!SIGNATURE_HEADER.test(header.trim()))
    return { ok: false, reason: 'X-Hub-Signature-256 must be "sha256=" followed by 64 hex digits' };
  return { ok: true };
}

/**
 * HMAC-SHA256 of the exact bytes received, keyed with META_APP_SECRET, compared in constant time. The bytes
 * matter: a body re-serialised after parsing (key order, spacing, rounded big numbers) no longer verifies.
 */
export function verifyMetaSignature(body: Buffer, header: string | undefined, appSecret: string): MetaSignatureVerdict {
  const shape = checkMetaSignatureHeader(header, undefined);
  if (!shape.ok) return shape;
  const given = Buffer.from(SIGNATURE_HEADER.exec((header ?? '').trim())?.[1] ?? '', 'hex');
  const expected = createHmac('sha256', appSecret).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'X-Hub-Signature-256 does not match the body (check META_APP_SECRET)' };
  }
  return { ok: true };
}

/** What Meta sends, for the simulator and tests. */
export function signMetaBody(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}
