import type { Queryable } from '../db/create-pool.ts';

/** What a tail returns about a new event: ids, type and time, never a payload. */
export interface TailedEvent {
  /** `lead_events.id` as text (a bigint). */
  id: string;
  event_type: string;
  conversation_id: string | null;
  created_at: string;
}

/** A gap in the ids may be a transaction that has not committed yet; it is looked at again for this long. */
const GAP_TIMEOUT_MS = 5_000;
const MAX_GAPS = 10_000;
/** The most events one `next()` returns; a caller that gets this many asks again. */
export const TAIL_BATCH_LIMIT = 1_000;

export interface EventTail {
  /** Events committed since the last call (or since the tail started), oldest id first. */
  next(): Promise<TailedEvent[]>;
  /** Starts after the newest event now, so what came before is not reported. */
  skipToEnd(): Promise<void>;
}

/**
 * Follows `lead_events` by id. Ids are drawn at insert and transactions commit out of id order, so a lower
 * id can appear after a higher one was read: every id skipped over is remembered for a few seconds and
 * asked for again, so a late commit is still reported (and a rolled-back id is given up after the timeout).
 */
export function createEventTail(db: Queryable, now: () => number = Date.now): EventTail {
  let lastId = 0n;
  const gaps = new Map<string, number>();

  const read = async (): Promise<TailedEvent[]> => {
    const time = now();
    for (const [id, since] of gaps) if (time - since > GAP_TIMEOUT_MS) gaps.delete(id);
    const { rows } = await db.query<TailedEvent>({
      name: 'tail-events',
      text: /* sql */ `
        SELECT id::text AS id, event_type, conversation_id,
               to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
        FROM lead_events
        WHERE id > $1::bigint OR id = ANY($2::bigint[])
        ORDER BY id
        LIMIT $3`,
      values: [lastId.toString(), [...gaps.keys()], TAIL_BATCH_LIMIT],
    });
    for (const row of rows) {
      gaps.delete(row.id);
      const id = BigInt(row.id);
      if (id > lastId) {
        for (let missing = lastId + 1n; missing < id && lastId > 0n && gaps.size < MAX_GAPS; missing += 1n)
          gaps.set(missing.toString(), time);
        lastId = id;
      }
    }
    return rows;
  };

  return {
    next: read,
    async skipToEnd() {
      const { rows } = await db.query<{ id: string | null }>(/* sql */ `SELECT max(id)::text AS id FROM lead_events`);
      lastId = BigInt(rows[0]?.id ?? '0');
      gaps.clear();
    },
  };
}
