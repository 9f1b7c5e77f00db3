import type { Logger } from 'pino';
import type { Pool, PoolClient } from '../db/create-pool.ts';
import { EVENT_STREAM_NOTIFY_CHANNEL } from '../outbox/event-types.ts';

const RECONNECT_DELAY_MS = 1_000;

export interface NewLeadListener {
  stop(): Promise<void>;
}

/**
 * Calls `onLeads` with the ids of leads as their `lead.created` events commit (the `leadline_events`
 * NOTIFY), batched over a few milliseconds. NOTIFY is only a latency hint: a notification sent while the
 * connection was down is gone, so `onReconnected` runs after every reconnect for the caller to catch up
 * from the table, and the caller's sweep covers the rest.
 */
export async function listenForNewLeads(options: {
  pool: Pool;
  logger: Logger;
  onLeads: (ids: string[]) => Promise<void>;
  onReconnected: () => Promise<void>;
  batchWindowMs?: number;
}): Promise<NewLeadListener> {
  const batchWindowMs = options.batchWindowMs ?? 20;
  let client: PoolClient | undefined;
  let stopped = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let pending = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const flush = () => {
    flushTimer = undefined;
    const ids = [...pending];
    pending = new Set();
    if (ids.length === 0) return;
    inFlight = inFlight
      .then(() => options.onLeads(ids))
      .catch((error: unknown) => options.logger.warn({ err: error }, 'scheduling SLA timers for new leads failed; the sweep will catch up'));
  };

  const onNotification = (message: { channel: string; payload?: string | undefined }) => {
    if (message.channel !== EVENT_STREAM_NOTIFY_CHANNEL || !message.payload) return;
    try {
      const event = JSON.parse(message.payload) as { event_type?: unknown; conversation_id?: unknown };
      if (event.event_type !== 'lead.created' || typeof event.conversation_id !== 'string') return;
      pending.add(event.conversation_id);
      flushTimer ??= setTimeout(flush, batchWindowMs);
    } catch {
      // Not ours or malformed: the sweep is the source of truth anyway.
    }
  };

  const connect = async (): Promise<void> => {
    const next = await options.pool.connect();
    const onLost = (error?: Error) => {
      next.removeListener('notification', onNotification);
      next.removeListener('error', onLost);
      next.release(error ?? true);
      if (client === next) client = undefined;
      if (stopped) return;
      options.logger.warn({ err: error }, 'SLA monitor lost its LISTEN connection; reconnecting');
      scheduleReconnect();
    };
    next.on('notification', onNotification);
    next.on('error', onLost);
    try {
      await next.query(/* sql */ `LISTEN ${EVENT_STREAM_NOTIFY_CHANNEL}`);
    } catch (error) {
      next.removeListener('notification', onNotification);
      next.removeListener('error', onLost);
      next.release(error as Error);
      throw error;
    }
    client = next;
  };

  const scheduleReconnect = () => {
    reconnectTimer = setTimeout(() => {
      connect()
        .then(() => options.onReconnected())
        .catch((error: unknown) => {
          if (stopped) return;
          options.logger.warn({ err: error }, 'SLA monitor could not LISTEN yet; retrying');
          if (!client) scheduleReconnect();
        });
    }, RECONNECT_DELAY_MS);
  };

  await connect();

  return {
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      if (flushTimer) {
        clearTimeout(flushTimer);
        flush();
      }
      await inFlight;
      const current = client;
      client = undefined;
      if (current) {
        current.removeListener('notification', onNotification);
        await current.query(/* sql */ `UNLISTEN *`).catch(() => {});
        current.release();
      }
    },
  };
}
