import pg from 'pg';

export interface Listener {
  stop(): Promise<void>;
}

/**
 * Holds one dedicated connection that LISTENs on `channels` and calls `onNotification` for each message.
 * A dropped connection is re-established with backoff; after every (re)connect `onConnected` runs, because
 * notifications sent while we were away are lost (NOTIFY is a hint; callers also poll).
 */
export function listenForNotifications(options: {
  connectionString: string;
  channels: string[];
  onNotification: (channel: string, payload: string) => void;
  onConnected?: () => void;
  onError?: (error: Error) => void;
}): Listener {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryDelayMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: options.connectionString, application_name: 'leadline-listener', keepAlive: true });
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
        await next.end().catch(() => {});
        return;
      }
      client = next;
      retryDelayMs = 250;
      options.onConnected?.();
    } catch (error) {
      options.onError?.(error as Error);
      scheduleReconnect(next);
    }
  };

  const scheduleReconnect = (failed: pg.Client) => {
    if (stopped || retryTimer || (client !== undefined && client !== failed)) return;
    client = undefined;
    failed.removeAllListeners('end');
    failed.end().catch(() => {});
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 10_000);
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('end');
        await current.end().catch(() => {});
      }
    },
  };
}
