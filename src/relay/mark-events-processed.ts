import type { PoolClient } from '../db/create-pool.ts';

export async function markEventsProcessed(client: PoolClient, eventIds: string[]): Promise<void> {
  await client.query({
    name: 'mark-events-processed',
    text: /* sql */ `UPDATE lead_events SET processed_at = now() WHERE id = ANY($1::bigint[])`,
    values: [eventIds],
  });
}
