import pg from 'pg';

export interface Listener {
  stop(): Promise<void>;
}

export interface ListenOptions {
  connectionString: string;
  channels: string[];
  onNotification: (channel: string, payload: string) => void;
  onConnected?: () => void;
  onError?: (error: Error) => void;
  /** `application_name` of the connection; fault tests pick listener connections by it. */
  applicationName?: string;
  /** How often the connection proves it is alive; a half-open connection receives nothing and says nothing. */
  heartbeatIntervalMs?: number;
}

const FIRST_RETRY_MS = 250;
/** Reconnects back off to this, so a listener is back within a couple of seconds of the database. */
const MAX_RETRY_MS = 2_000;
const HEARTBEAT_INTERVAL_MS = 5_000;
/** A heartbeat unanswered this long means the connection is gone even if the socket looks open. */
const HEARTBEAT_TIMEOUT_MS = 3_000;
/** `end()` on a dead connection waits for a goodbye that never comes; after this the socket is destroyed. */
const END_TIMEOUT_MS = 1_000;

/**
 * Holds one dedicated connection that LISTENs on `channels` and calls `onNotification` for each message.
 * A dropped connection is re-established with backoff; after every (re)connect `onConnected` runs, because
 * notifications sent while we were away are lost (NOTIFY is a hint; callers also poll). A heartbeat query
 * finds a half-open connection (the peer vanished without a FIN: a failover, a frozen proxy), which TCP
 * alone would only notice after minutes.
 */
export function listenForNotifications(options: ListenOptions): Listener {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryDelayMs = FIRST_RETRY_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;

  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName ?? 'leadline-listener',
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
      connectionTimeoutMillis: 5_000,
    });
    next.on('notification', (message) => options.onNotification(message.channel, message.payload ?? ''));
    next.on('error', (error) => {
      options.onError?.(error);
      scheduleReconnect(next);
    });
    next.on('end', () => scheduleReconnect(next));
    try {
      await next.connect();
      for (const channel of options.channels) await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (stopped) {
        await endQuickly(next);
        return;
      }
      client = next;
      retryDelayMs = FIRST_RETRY_MS;
      heartbeatTimer = setInterval(() => void heartbeat(next), heartbeatIntervalMs);
      heartbeatTimer.unref();
      options.onConnected?.();
    } catch (error) {
      options.onError?.(error as Error);
      scheduleReconnect(next);
    }
  };

  const heartbeat = async (current: pg.Client) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        current.query('SELECT 1'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the LISTEN connection did not answer a heartbeat within ${HEARTBEAT_TIMEOUT_MS} ms`)),
            HEARTBEAT_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      if (client !== current) return;
      options.onError?.(error as Error);
      scheduleReconnect(current);
    } finally {
      clearTimeout(timer);
    }
  };

  const scheduleReconnect = (failed: pg.Client) => {
    if (stopped || retryTimer || (client !== undefined && client !== failed)) return;
    client = undefined;
    clearInterval(heartbeatTimer);
    failed.removeAllListeners('end');
    failed.removeAllListeners('notification');
    void endQuickly(failed);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, MAX_RETRY_MS);
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeatTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('end');
        await endQuickly(current);
      }
    },
  };
}

/** Ends a connection politely, or destroys its socket when the server does not answer. */
async function endQuickly(client: pg.Client): Promise<void> {
  // An error on a connection we are discarding has nothing left to tell.
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        resolve();
      }, END_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}
