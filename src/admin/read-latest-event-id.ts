import type { Queryable } from '../db/create-pool.ts';

/** The highest event id so far ('0' when there is none): where the stream's catch-up starts. */
export async function readLatestEventId(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>(/* sql */ `SELECT coalesce(max(id), 0)::text AS id FROM lead_events`);
  return rows[0]?.id ?? '0';
}
