import type { Queryable } from '../db/create-pool.ts';

/**
 * Reserves the next send slot for a destination in the shared `delivery_pacing` row, then waits for it.
 * Every worker process takes slots from the same row, so a destination never gets more than one message
 * per `minIntervalMs` in total, and we never cause a provider's rate limit ourselves.
 */
export async function waitForSendSlot(db: Queryable, destination: string, minIntervalMs: number): Promise<void> {
  if (minIntervalMs <= 0) return;
  const { rows } = await db.query<{ wait_ms: number }>({
    name: 'claim-send-slot',
    text: /* sql */ `
      INSERT INTO delivery_pacing AS p (destination, next_slot_at)
      VALUES ($1, clock_timestamp() + make_interval(secs => $2::double precision / 1000))
      ON CONFLICT (destination) DO UPDATE
        SET next_slot_at = greatest(p.next_slot_at, clock_timestamp()) + make_interval(secs => $2::double precision / 1000)
      RETURNING greatest(0, extract(epoch FROM (next_slot_at - make_interval(secs => $2::double precision / 1000) - clock_timestamp())) * 1000)::float8 AS wait_ms`,
    values: [destination, minIntervalMs],
  });
  const waitMs = rows[0]?.wait_ms ?? 0;
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}

/** After a provider's 429, no worker sends to that destination before the provider's wait is over. */
export async function pushBackSendSlots(db: Queryable, destination: string, waitMs: number): Promise<void> {
  await db.query({
    name: 'push-back-send-slots',
    text: /* sql */ `
      INSERT INTO delivery_pacing AS p (destination, next_slot_at)
      VALUES ($1, clock_timestamp() + make_interval(secs => $2::double precision / 1000))
      ON CONFLICT (destination) DO UPDATE
        SET next_slot_at = greatest(p.next_slot_at, clock_timestamp() + make_interval(secs => $2::double precision / 1000))`,
    values: [destination, waitMs],
  });
}
