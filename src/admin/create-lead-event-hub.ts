import pg from 'pg';
import type { Logger } from 'pino';
import type { Queryable } from '../db/create-pool.ts';
import { EVENT_STREAM_NOTIFY_CHANNEL } from '../outbox/event-types.ts';
import { listEventsSince } from './list-events-since.ts';
import { readLatestEventId } from './read-latest-event-id.ts';
import { parseStreamedEvent, type StreamedEvent } from './streamed-event.ts';

export interface EventSubscriber {
  onEvent(event: StreamedEvent): void;
  /** The hub stopped (shutdown): end the response so the server can close. */
  onClose(): void;
}

export interface LeadEventHub {
  /** Adds a subscriber and connects the shared LISTEN client if it is not connected yet. Returns the unsubscribe. */
  subscribe(subscriber: EventSubscriber): () => void;
  /** Resolves once LISTEN is in place, or rejects after `timeoutMs` (the hub keeps trying in the background). */
  whenListening(timeoutMs: number): Promise<void>;
  /** Ends every subscriber and the LISTEN connection. */
  stop(): Promise<void>;
  status(): { subscribers: number; listening: boolean };
}

export interface LeadEventHubOptions {
  connectionString: string;
  /** Used for the catch-up query after a reconnect, so the LISTEN connection only ever listens. */
  db: Queryable;
  logger: Logger;
  reconnectDelayMs?: { initial: number; max: number };
}

/** `pg_stat_activity.application_name` of the LISTEN connection, so operators can spot it. */
export const EVENT_STREAM_APPLICATION_NAME = 'leadline-admin-stream';

/** Events fetched after a reconnect to cover the gap; a longer gap is covered by the panel reloading. */
const CATCH_UP_LIMIT = 1_000;

/** Ids remembered to drop the second copy of an event seen both by catch-up and by NOTIFY. */
const RECENT_IDS_KEPT = 2_048;

/**
 * One dedicated Postgres connection per process LISTENs on `leadline_events` (fired by the lead_events
 * trigger) and fans every event out to all open admin streams: a hundred open panels cost one connection,
 * not a hundred. The connection is opened on the first subscriber. When it drops, it is re-opened with
 * backoff and the events committed in between are read from the table, so open streams miss nothing
 * (except what the id-order caveat in list-events-since.ts describes).
 */
export function createLeadEventHub(options: LeadEventHubOptions): LeadEventHub {
  const { initial: initialDelayMs, max: maxDelayMs } = options.reconnectDelayMs ?? { initial: 500, max: 30_000 };
  const subscribers = new Set<EventSubscriber>();
  const recentIds = new Set<string>();
  let client: pg.Client | undefined;
  let connecting = false;
  let stopped = false;
  let failures = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  /** The highest event id delivered (or present when LISTEN started): where a catch-up resumes. */
  let lastId: string | undefined;
  let waiters: (() => void)[] = [];

  const deliver = (event: StreamedEvent | undefined) => {
    if (!event || recentIds.has(event.id)) return;
    recentIds.add(event.id);
    if (recentIds.size > RECENT_IDS_KEPT) {
      const oldest = recentIds.values().next().value;
      if (oldest !== undefined) recentIds.delete(oldest);
    }
    if (lastId === undefined || BigInt(event.id) > BigInt(lastId)) lastId = event.id;
    for (const subscriber of subscribers) {
      try {
        subscriber.onEvent(event);
      } catch (error) {
        options.logger.warn({ err: error }, 'admin stream subscriber failed');
      }
    }
  };

  const scheduleReconnect = () => {
    if (stopped || reconnectTimer || subscribers.size === 0) return;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** failures);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    failures += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
    reconnectTimer.unref();
  };

  const lost = (lostClient: pg.Client, error: unknown) => {
    if (lostClient !== client) return;
    client = undefined;
    lostClient.end().catch(() => {});
    if (stopped) return;
    options.logger.warn({ err: error }, 'admin stream lost its LISTEN connection; reconnecting');
    scheduleReconnect();
  };

  const connect = async (): Promise<void> => {
    if (client || connecting || stopped) return;
    connecting = true;
    const candidate = new pg.Client({
      connectionString: options.connectionString,
      application_name: EVENT_STREAM_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    candidate.on('error', (error) => lost(candidate, error));
    candidate.on('end', () => lost(candidate, new Error('connection ended')));
    candidate.on('notification', (message) => {
      if (candidate === client && message.channel === EVENT_STREAM_NOTIFY_CHANNEL) deliver(parseStreamedEvent(message.payload));
    });
    try {
      await candidate.connect();
      if (stopped) {
        await candidate.end();
        return;
      }
      client = candidate;
      await candidate.query(/* sql */ `LISTEN ${EVENT_STREAM_NOTIFY_CHANNEL}`);
      failures = 0;
      const resumeFrom = lastId;
      if (resumeFrom === undefined) {
        const latest = await readLatestEventId(options.db);
        if (lastId === undefined || BigInt(latest) > BigInt(lastId)) lastId = latest;
      } else {
        for (const event of await listEventsSince(options.db, resumeFrom, CATCH_UP_LIMIT)) deliver(event);
      }
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    } catch (error) {
      if (client === candidate) client = undefined;
      candidate.end().catch(() => {});
      if (!stopped) {
        options.logger.warn({ err: error }, 'admin stream could not LISTEN; retrying');
        scheduleReconnect();
      }
    } finally {
      connecting = false;
    }
  };

  return {
    subscribe(subscriber) {
      if (stopped) {
        subscriber.onClose();
        return () => {};
      }
      subscribers.add(subscriber);
      if (!client && !connecting && !reconnectTimer) void connect();
      return () => {
        subscribers.delete(subscriber);
      };
    },

    whenListening(timeoutMs) {
      if (client && !connecting) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== done);
          reject(new Error(`the event stream is not listening yet (waited ${timeoutMs} ms)`));
        }, timeoutMs);
        timer.unref();
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push(done);
      });
    },

    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      for (const subscriber of subscribers) subscriber.onClose();
      subscribers.clear();
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },

    status() {
      return { subscribers: subscribers.size, listening: client !== undefined && !connecting };
    },
  };
}
