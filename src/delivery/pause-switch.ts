import type { Pool, Queryable } from '../db/create-pool.ts';
import { listenForNotifications } from '../db/listen-for-notifications.ts';

export const CONTROL_NOTIFY_CHANNEL = 'leadline_control';
const PAUSED_KEY = 'deliveries_paused';

export interface PauseSwitch {
  isPaused(): boolean;
  onChange(listener: (paused: boolean) => void): void;
  stop(): Promise<void>;
}

export async function readDeliveriesPaused(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ value: unknown }>(/* sql */ `SELECT value FROM settings WHERE key = $1`, [PAUSED_KEY]);
  return rows[0]?.value === true;
}

/** Pauses or resumes outbound deliveries for every process (capture is never paused). */
export async function setDeliveriesPaused(db: Queryable, paused: boolean): Promise<void> {
  await db.query(
    /* sql */ `
      WITH saved AS (
        INSERT INTO settings (key, value, updated_at) VALUES ($1, to_jsonb($2::boolean), now())
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()
      )
      SELECT pg_notify($3, $1)`,
    [PAUSED_KEY, paused, CONTROL_NOTIFY_CHANNEL],
  );
}

/**
 * Watches the shared pause flag: NOTIFY makes a change felt at once, a one-second poll makes it certain.
 */
export async function startPauseSwitch(deps: {
  pool: Pool;
  connectionString: string;
  pollIntervalMs?: number;
  onError: (error: Error) => void;
}): Promise<PauseSwitch> {
  let paused = await readDeliveriesPaused(deps.pool);
  const listeners: ((paused: boolean) => void)[] = [];
  const refresh = async () => {
    const next = await readDeliveriesPaused(deps.pool);
    if (next === paused) return;
    paused = next;
    for (const listener of listeners) listener(paused);
  };
  const check = () => {
    refresh().catch((error: unknown) => deps.onError(error as Error));
  };
  const listener = listenForNotifications({
    connectionString: deps.connectionString,
    applicationName: 'leadline-listener-pause',
    channels: [CONTROL_NOTIFY_CHANNEL],
    onNotification: check,
    onConnected: check,
    onError: deps.onError,
  });
  const poller = setInterval(check, deps.pollIntervalMs ?? 1_000);
  return {
    isPaused: () => paused,
    onChange: (callback) => {
      listeners.push(callback);
    },
    async stop() {
      clearInterval(poller);
      await listener.stop();
    },
  };
}
