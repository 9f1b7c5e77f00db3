import type { Queryable } from '../db/create-pool.ts';

/**
 * Stamps attempts the moment before their message goes to the provider. Only a dispatched attempt can
 * have reached the provider, so only its interruption makes the next attempt a possible duplicate.
 */
export async function markAttemptsDispatched(db: Queryable, logIds: string[]): Promise<void> {
  await db.query({
    name: 'mark-attempts-dispatched',
    text: /* sql */ `UPDATE notification_logs SET dispatched_at = now() WHERE id = ANY($1::bigint[])`,
    values: [logIds],
  });
}
