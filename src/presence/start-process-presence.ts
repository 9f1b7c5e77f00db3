import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Pool } from '../db/create-pool.ts';

/**
 * A process that has not beaten for this long is dead: what it held is taken over. Five beats, so a
 * garbage-collection pause or a loaded event loop never makes a live process look dead, and short enough
 * that a crash costs seconds, not the minute a delivery lease would.
 */
export const PROCESS_LEASE_MS = 5_000;

const HEARTBEAT_INTERVAL_MS = 1_000;

/** Rows of processes that stopped or died longer ago than this are removed. */
const FORGET_AFTER_MS = 24 * 3_600_000;

export interface ProcessPresence {
  /** This process's id in `worker_processes`; attempts it starts carry it. */
  readonly id: string;
  /**
   * False for a lease after this process's own heartbeat failed: right after a database outage every process
   * looks stale until it beats again, so nobody is judged dead in that window.
   */
  isSettled(): boolean;
  stop(): Promise<void>;
}

/**
 * Registers this process in `worker_processes` and beats every second. Heartbeat failures (the database is
 * away) are reported through `onError` and retried on the next beat; they never end the process.
 */
export async function startProcessPresence(deps: {
  pool: Pool;
  role: 'api' | 'worker' | 'all';
  onError: (error: unknown) => void;
  now?: () => number;
}): Promise<ProcessPresence> {
  const id = randomUUID();
  const now = deps.now ?? Date.now;
  const register = () =>
    deps.pool.query(
      /* sql */ `
        INSERT INTO worker_processes (id, role, hostname, pid) VALUES ($1, $2, $3, $4)
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL`,
      [id, deps.role, os.hostname(), process.pid],
    );
  await register();

  // A fresh start judges at once (a restart after a crash must take over without delay); after a failed beat
  // it waits a whole lease of good ones, since the other processes were cut off too and are beating again.
  let healthySince: number | undefined = now() - PROCESS_LEASE_MS;
  let beats = 0;
  let beating: Promise<void> | undefined;
  const beat = async () => {
    try {
      const { rowCount } = await deps.pool.query(/* sql */ `UPDATE worker_processes SET heartbeat_at = now() WHERE id = $1`, [id]);
      // Someone removed our row (a manual cleanup): register again rather than look dead.
      if (rowCount === 0) await register();
      healthySince ??= now();
      beats += 1;
      if (beats % 600 === 0) {
        await deps.pool.query(
          /* sql */ `DELETE FROM worker_processes WHERE heartbeat_at < now() - make_interval(secs => $1::double precision / 1000)`,
          [FORGET_AFTER_MS],
        );
      }
    } catch (error) {
      healthySince = undefined;
      deps.onError(error);
    }
  };
  const timer = setInterval(() => {
    beating ??= beat().finally(() => {
      beating = undefined;
    });
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();

  return {
    id,
    isSettled: () => healthySince !== undefined && now() - healthySince >= PROCESS_LEASE_MS,
    async stop() {
      clearInterval(timer);
      await beating;
      await deps.pool.query(/* sql */ `UPDATE worker_processes SET stopped_at = now() WHERE id = $1`, [id]).catch(deps.onError);
    },
  };
}
