import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/create-pool.ts';
import type { Clock } from '../shared/clock.ts';
import {
  signTeamLink,
  TEAM_LINK_LIFETIME_MS,
  teamLinkKeyId,
  verifyTeamLink,
  type TeamLinkKey,
  type VerifiedTeamLink,
} from './team-link-token.ts';

/** How long a process trusts its copy of the keys before it reads them again (a rotation elsewhere shows within this). */
const KEYS_TTL_MS = 60_000;

export interface TeamLinkKeys {
  /** Signs a link with the newest key (the first use creates one). */
  sign(claims: { leadId: string; agentId: string | null }): Promise<string>;
  /** Checks a token against every key that may still have unexpired tokens. */
  verify(token: string): Promise<VerifiedTeamLink>;
  /** Adds a new newest key: links signed from now on use it, older ones keep working until they expire. */
  rotate(): Promise<{ keyId: number }>;
}

/**
 * The HMAC keys of the team links, kept in `team_link_keys` so every process signs and verifies alike.
 * Keys are read at most once a minute; a token naming a key this process has not seen yet makes it read again
 * at once (another process rotated). Keys older than a token's lifetime plus a day verify nothing and are
 * not loaded.
 */
export function openTeamLinkKeys(db: Queryable, clock: Clock): TeamLinkKeys {
  let cached: { keys: TeamLinkKey[]; at: number } | undefined;

  const read = async (): Promise<TeamLinkKey[]> => {
    const { rows } = await db.query<{ id: number; secret: Buffer }>(
      /* sql */ `SELECT id, secret FROM team_link_keys WHERE created_at > $1 ORDER BY id DESC`,
      [new Date(clock.now().getTime() - TEAM_LINK_LIFETIME_MS - 24 * 3600 * 1000)],
    );
    return rows;
  };

  const create = async (): Promise<void> => {
    await db.query(/* sql */ `INSERT INTO team_link_keys (secret, created_at) VALUES ($1, $2)`, [randomBytes(32), clock.now()]);
  };

  const keys = async (refresh = false): Promise<TeamLinkKey[]> => {
    if (!refresh && cached && Date.now() - cached.at < KEYS_TTL_MS && cached.keys.length > 0) return cached.keys;
    let loaded = await read();
    if (loaded.length === 0) {
      // Two processes may both create one on first use: harmless, the newest signs and both verify.
      await create();
      loaded = await read();
    }
    cached = { keys: loaded, at: Date.now() };
    return loaded;
  };

  return {
    async sign(claims) {
      const [newest] = await keys();
      return signTeamLink(newest!, claims, clock.now());
    },
    async verify(token) {
      let known = await keys();
      const keyId = teamLinkKeyId(token);
      if (keyId !== undefined && !known.some((key) => key.id === keyId) && keyId > (known[0]?.id ?? 0)) known = await keys(true);
      return verifyTeamLink(token, known, clock.now());
    },
    async rotate() {
      await create();
      const [newest] = await keys(true);
      return { keyId: newest!.id };
    },
  };
}

/** The address of a team link. */
export function teamLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/l/${token}`;
}
