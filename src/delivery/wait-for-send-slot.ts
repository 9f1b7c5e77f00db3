import type { Queryable } from '../db/create-pool.ts';

/**
 * The longest a handler sleeps for its send slot. A later slot (a provider's long Retry-After pushed the
 * pace back) is not waited for inside the job, which would outlive the job's expiry: the deliveries are
 * rescheduled for that time instead.
 */
export const MAX_SLOT_WAIT_MS = 5_000;

export type SendSlot = { reserved: true } | { reserved: false; notBefore: Date };

/**
 * Reserves the next send slot for a destination in the shared `delivery_pacing` row and waits for it, when
 * it is at most `maxWaitMs` away. Every worker process takes slots from the same row, so a destination never
 * gets more than one message per `minIntervalMs` in total, and we never cause a provider's rate limit
 * ourselves. A slot further away is not reserved: the caller reschedules for `notBefore`.
 */
export async function waitForSendSlot(
  db: Queryable,
  destination: string,
  minIntervalMs: number,
  maxWaitMs = MAX_SLOT_WAIT_MS,
): Promise<SendSlot> {
  if (minIntervalMs <= 0) return { reserved: true };
  const { rows } = await db.query<{ wait_ms: number }>({
    name: 'claim-send-slot',
    text: /* sql */ `
      INSERT INTO delivery_pacing AS p (destination, next_slot_at)
      VALUES ($1, clock_timestamp() + make_interval(secs => $2::double precision / 1000))
      ON CONFLICT (destination) DO UPDATE
        SET next_slot_at = greatest(p.next_slot_at, clock_timestamp()) + make_interval(secs => $2::double precision / 1000)
        WHERE p.next_slot_at <= clock_timestamp() + make_interval(secs => $3::double precision / 1000)
      RETURNING greatest(0, extract(epoch FROM (next_slot_at - make_interval(secs => $2::double precision / 1000) - clock_timestamp())) * 1000)::float8 AS wait_ms`,
    values: [destination, minIntervalMs, maxWaitMs],
  });
  const reserved = rows[0];
  if (!reserved) {
    const next = await db.query<{ next_slot_at: Date }>({
      name: 'read-send-slot',
      text: /* sql */ `SELECT next_slot_at FROM delivery_pacing WHERE destination = $1`,
      values: [destination],
    });
    return { reserved: false, notBefore: next.rows[0]?.next_slot_at ?? new Date() };
  }
  if (reserved.wait_ms > 0) await new Promise((resolve) => setTimeout(resolve, reserved.wait_ms));
  return { reserved: true };
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
