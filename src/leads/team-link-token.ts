import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The one-tap links in alerts, `/l/<token>`: the token is the credential (no cookie, no admin key), so it is
 * signed and short-lived. Format (base64url of bytes):
 *
 *   version (1 byte, 1) | key id (4 bytes, big-endian) | expires (4 bytes, unix seconds) |
 *   lead id (16 bytes) | agent id (16 bytes, only when the link names an agent) | HMAC-SHA256 (32 bytes)
 *
 * The HMAC covers every byte before it, with the key `key id` names (team_link_keys). A token that does not
 * parse, names an unknown key or carries a wrong MAC is forged; a genuine one past its expiry is expired. The
 * MAC is checked before the expiry, so an expired answer (410) is only ever given to a real token.
 */
export const TEAM_LINK_LIFETIME_MS = 7 * 24 * 3600 * 1000;

const VERSION = 1;
const MAC_BYTES = 32;
const HEADER_BYTES = 1 + 4 + 4 + 16;

export interface TeamLinkKey {
  id: number;
  secret: Buffer;
}

export interface TeamLinkClaims {
  leadId: string;
  agentId: string | null;
  expiresAt: Date;
}

export type VerifiedTeamLink = ({ status: 'valid' } & TeamLinkClaims) | { status: 'expired'; leadId: string } | { status: 'forged' };

const uuidBytes = (uuid: string): Buffer => Buffer.from(uuid.replace(/-/g, ''), 'hex');
const uuidText = (bytes: Buffer): string => {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** Signs a link to `leadId` (and `agentId`, when the alert went to one agent) that expires `TEAM_LINK_LIFETIME_MS` from `now`. */
export function signTeamLink(key: TeamLinkKey, claims: { leadId: string; agentId: string | null }, now: Date): string {
  const body = Buffer.alloc(HEADER_BYTES + (claims.agentId === null ? 0 : 16));
  body.writeUInt8(VERSION, 0);
  body.writeUInt32BE(key.id, 1);
  body.writeUInt32BE(Math.floor((now.getTime() + TEAM_LINK_LIFETIME_MS) / 1000), 5);
  uuidBytes(claims.leadId).copy(body, 9);
  if (claims.agentId !== null) uuidBytes(claims.agentId).copy(body, 25);
  const mac = createHmac('sha256', key.secret).update(body).digest();
  return Buffer.concat([body, mac]).toString('base64url');
}

/** Reads a token against the keys that may have signed it. Never throws on input. */
export function verifyTeamLink(token: string, keys: readonly TeamLinkKey[], now: Date): VerifiedTeamLink {
  if (!/^[A-Za-z0-9_-]{40,120}$/.test(token)) return { status: 'forged' };
  const bytes = Buffer.from(token, 'base64url');
  const bodyLength = bytes.length - MAC_BYTES;
  if (bodyLength !== HEADER_BYTES && bodyLength !== HEADER_BYTES + 16) return { status: 'forged' };
  const body = bytes.subarray(0, bodyLength);
  if (body.readUInt8(0) !== VERSION) return { status: 'forged' };
  const key = keys.find((candidate) => candidate.id === body.readUInt32BE(1));
  if (!key) return { status: 'forged' };
  const expected = createHmac('sha256', key.secret).update(body).digest();
  if (!timingSafeEqual(expected, bytes.subarray(bodyLength))) return { status: 'forged' };
  const leadId = uuidText(body.subarray(9, 25));
  const expiresAt = new Date(body.readUInt32BE(5) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { status: 'expired', leadId };
  return { status: 'valid', leadId, agentId: bodyLength > HEADER_BYTES ? uuidText(body.subarray(25, 41)) : null, expiresAt };
}

/** The key id a token names (it may not be loaded yet), or undefined for what is no token. */
export function teamLinkKeyId(token: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{40,120}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  return bytes.length >= HEADER_BYTES + MAC_BYTES ? bytes.readUInt32BE(1) : undefined;
}
