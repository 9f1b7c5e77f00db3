import type { Queryable } from '../db/create-pool.ts';

/**
 * Closes started attempts as `skipped`: there is nothing to send (the event's lead was erased, or a
 * digest lost its row). Nothing is alerted: a delivery that should not happen is not a failure.
 */
export async function skipDeliveries(db: Queryable, logIds: readonly string[], reason: string): Promise<void> {
  if (logIds.length === 0) return;
  await db.query({
    name: 'skip-deliveries',
    text: /* sql */ `
      UPDATE notification_logs SET status = 'skipped', error_message = $2, finished_at = now()
      WHERE id = ANY($1::bigint[]) AND status = 'sending'`,
    values: [logIds, reason],
  });
}
