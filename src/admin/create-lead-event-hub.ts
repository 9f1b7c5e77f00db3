import type { Logger } from 'pino';
import type { Queryable } from '../db/create-pool.ts';
import { listenForNotifications, type Listener } from '../db/listen-for-notifications.ts';
import { EVENT_STREAM_NOTIFY_CHANNEL } from '../events/event-types.ts';
import { listEventsSince } from './list-events-since.ts';
import { readLatestEventId } from './read-latest-event-id.ts';
import { parseStreamedEvent, type StreamedEvent } from './streamed-event.ts';

export interface EventSubscriber {
  onEvent(event: StreamedEvent): void;
  /** The hub stopped (shutdown): end the response so the server can close. */
  onClose(): void;
}

export interface LeadEventHub {
  /** Adds a subscriber; the first one opens the shared LISTEN connection. Returns the unsubscribe. */
  subscribe(subscriber: EventSubscriber): () => void;
  /** Resolves once LISTEN has been in place, or rejects after `timeoutMs` (the listener keeps retrying). */
  whenListening(timeoutMs: number): Promise<void>;
  /** Ends every subscriber, then the LISTEN connection. */
  stop(): Promise<void>;
  status(): { subscribers: number; listening: boolean };
}

export interface LeadEventHubOptions {
  connectionString: string;
  /** For the catch-up query after a reconnect, so the LISTEN connection only ever listens. */
  db: Queryable;
  logger: Logger;
}

/** Events read after a reconnect to cover the gap; a longer gap is covered by the panel reloading. */
const CATCH_UP_LIMIT = 1_000;

/** Ids remembered to drop the second copy of an event seen both by the catch-up and by NOTIFY. */
const RECENT_IDS_KEPT = 2_048;

/**
 * One dedicated Postgres connection per process LISTENs on `leadline_events` (fired by the lead_events
 * trigger) and fans each event out to every open admin stream: a hundred open panels cost one connection,
 * not a hundred. The connection opens with the first subscriber. When it drops, listenForNotifications
 * re-opens it with backoff, and the events committed meanwhile are read from the table, so open streams
 * miss nothing (except what the id-order caveat in list-events-since.ts describes).
 */
export function createLeadEventHub(options: LeadEventHubOptions): LeadEventHub {
  const subscribers = new Set<EventSubscriber>();
  const recentIds = new Set<string>();
  let listener: Listener | undefined;
  let listening = false;
  let stopped = false;
  /** The highest event id delivered, or the latest one when LISTEN first started: where a catch-up resumes. */
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

  /** Runs after every (re)connect: NOTIFYs sent while the connection was down are gone, the rows are not. */
  const onConnected = async () => {
    const resumeFrom = lastId;
    if (resumeFrom === undefined) {
      const latest = await readLatestEventId(options.db);
      if (lastId === undefined || BigInt(latest) > BigInt(lastId)) lastId = latest;
    } else {
      for (const event of await listEventsSince(options.db, resumeFrom, CATCH_UP_LIMIT)) deliver(event);
    }
  };

  const start = () => {
    listener = listenForNotifications({
      connectionString: options.connectionString,
      channels: [EVENT_STREAM_NOTIFY_CHANNEL],
      onNotification: (_channel, payload) => deliver(parseStreamedEvent(payload)),
      onConnected: () => {
        listening = true;
        onConnected()
          .catch((error: unknown) => options.logger.warn({ err: error }, 'admin stream catch-up failed'))
          .finally(() => {
            const ready = waiters;
            waiters = [];
            for (const resolve of ready) resolve();
          });
      },
      onError: (error) => {
        listening = false;
        if (!stopped) options.logger.warn({ err: error }, 'admin stream LISTEN connection failed; reconnecting');
      },
    });
  };

  return {
    subscribe(subscriber) {
      if (stopped) {
        subscriber.onClose();
        return () => {};
      }
      subscribers.add(subscriber);
      if (!listener) start();
      return () => {
        subscribers.delete(subscriber);
      };
    },

    whenListening(timeoutMs) {
      if (listening) return Promise.resolve();
      if (stopped) return Promise.reject(new Error('the event stream has stopped'));
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== done);
          reject(new Error(`the event stream is not listening yet (waited ${timeoutMs} ms)`));
        }, timeoutMs);
        timer.unref();
        waiters.push(done);
      });
    },

    async stop() {
      stopped = true;
      for (const subscriber of [...subscribers]) subscriber.onClose();
      subscribers.clear();
      listening = false;
      await listener?.stop();
    },

    status() {
      return { subscribers: subscribers.size, listening };
    },
  };
}
