import type { Queryable } from '../db/create-pool.ts';
import type { StreamedEvent } from './streamed-event.ts';

/**
 * Events after `afterId` in id order, for a browser that reconnects with `Last-Event-ID` and for the
 * stream's own catch-up after its LISTEN connection dropped. Ids are assigned at insert and rows can commit
 * out of id order, so an event committed late with a lower id can be missed here; the panel reloads its
 * lists whenever the stream (re)opens, which covers that gap.
 */
export async function listEventsSince(db: Queryable, afterId: string, limit: number): Promise<StreamedEvent[]> {
  const { rows } = await db.query<StreamedEvent>(
    /* sql */ `
    SELECT id::text AS id, event_type, conversation_id,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
    FROM lead_events
    WHERE id > $1::bigint
    ORDER BY id
    LIMIT $2`,
    [afterId, limit],
  );
  return rows;
}
