import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signTeamLink, TEAM_LINK_LIFETIME_MS, teamLinkKeyId, verifyTeamLink } from './team-link-token.ts';

const key = { id: 7, secret: randomBytes(32) };
const other = { id: 8, secret: randomBytes(32) };
const lead = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const agent = '0190a1b2-c3d4-7e5f-8a9b-ffffffffffff';
const now = new Date('2026-12-01T12:00:00Z');

describe('team link tokens', () => {
  it('when a token is signed and read back within 7 days, then it names the lead and the agent', () => {
    const token = signTeamLink(key, { leadId: lead, agentId: agent }, now);
    expect(verifyTeamLink(token, [other, key], new Date(now.getTime() + TEAM_LINK_LIFETIME_MS - 1000))).toEqual({
      status: 'valid',
      leadId: lead,
      agentId: agent,
      expiresAt: new Date(now.getTime() + TEAM_LINK_LIFETIME_MS),
    });
    expect(teamLinkKeyId(token)).toBe(7);
  });

  it('when a token names no agent, then it reads back with agentId null and is shorter', () => {
    const token = signTeamLink(key, { leadId: lead, agentId: null }, now);
    expect(verifyTeamLink(token, [key], now)).toMatchObject({ status: 'valid', leadId: lead, agentId: null });
    expect(token.length).toBeLessThan(signTeamLink(key, { leadId: lead, agentId: agent }, now).length);
  });

  it('when 7 days have passed, then a genuine token is expired (and still names its lead)', () => {
    const token = signTeamLink(key, { leadId: lead, agentId: null }, now);
    expect(verifyTeamLink(token, [key], new Date(now.getTime() + TEAM_LINK_LIFETIME_MS))).toEqual({ status: 'expired', leadId: lead });
  });

  it('when any byte is changed, the key is unknown, or the text is no token, then it is forged', () => {
    const token = signTeamLink(key, { leadId: lead, agentId: agent }, now);
    const bytes = Buffer.from(token, 'base64url');
    for (const index of [0, 3, 6, 12, 30, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[index] = tampered[index]! ^ 0x01;
      expect(verifyTeamLink(tampered.toString('base64url'), [key], now)).toEqual({ status: 'forged' });
    }
    expect(verifyTeamLink(token, [other], now)).toEqual({ status: 'forged' });
    expect(verifyTeamLink(token, [{ id: 7, secret: randomBytes(32) }], now)).toEqual({ status: 'forged' });
    for (const text of ['', 'abc', token.slice(0, -4), `${token}AAAA`, 'x'.repeat(300), '../../etc/passwd']) {
      expect(verifyTeamLink(text, [key], now)).toEqual({ status: 'forged' });
    }
  });

  it('when an expired token is forged, then the answer is forged, not expired', () => {
    const token = signTeamLink(key, { leadId: lead, agentId: null }, now);
    const bytes = Buffer.from(token, 'base64url');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x80;
    expect(verifyTeamLink(bytes.toString('base64url'), [key], new Date(now.getTime() + 2 * TEAM_LINK_LIFETIME_MS))).toEqual({
      status: 'forged',
    });
  });
});
