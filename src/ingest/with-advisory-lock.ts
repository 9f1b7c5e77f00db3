import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from '../db/create-pool.ts';

/**
 * Runs `work` while holding a session-level Postgres advisory lock named `name`, so one process at a time
 * polls a form. The lock lives on a dedicated connection: if the process dies, Postgres drops the lock with
 * the connection. With `waitMs = 0` a busy lock means "someone else is on it" and `work` does not run.
 */
export async function withAdvisoryLock<T>(
  pool: Pool,
  name: string,
  waitMs: number,
  work: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  const client = await pool.connect();
  // A connection whose unlock failed must be closed, not pooled: closing it is what releases the lock.
  let discard = false;
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const result = await client.query<{ locked: boolean }>(/* sql */ `SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [name]);
      if (result.rows[0]?.locked) break;
      if (Date.now() >= deadline) return { ran: false };
      await sleep(200);
    }
    try {
      return { ran: true, value: await work() };
    } finally {
      await client.query(/* sql */ `SELECT pg_advisory_unlock(hashtext($1))`, [name]).catch(() => {
        discard = true;
      });
    }
  } catch (error) {
    discard ||= isConnectionError(error);
    throw error;
  } finally {
    client.release(discard);
  }
}

function isConnectionError(error: unknown): boolean {
  return error instanceof Error && /Connection terminated|connection is closed|ECONNRESET/i.test(error.message);
}
