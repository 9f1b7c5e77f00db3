import type { Logger } from 'pino';
import type { Queryable } from '../db/create-pool.ts';
import { listenForNotifications, type Listener } from '../db/listen-for-notifications.ts';
import { EVENT_STREAM_NOTIFY_CHANNEL } from '../events/event-types.ts';
import { createEventTail, TAIL_BATCH_LIMIT } from '../events/tail-events.ts';
import type { StreamedEvent } from './streamed-event.ts';

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

/** Ids remembered to drop the second copy of an event seen both by the catch-up and by NOTIFY. */
const RECENT_IDS_KEPT = 2_048;

/** With subscribers, the table is read this often even without a NOTIFY (a lost poke costs this much). */
const POLL_INTERVAL_MS = 1_000;

/**
 * One dedicated Postgres connection per process LISTENs on `leadline_events` (a payload-free poke the
 * writers send after their commits) and, on each poke, reads the new events from the table once for every
 * open admin stream: a hundred open panels cost one connection and one query, not a hundred. The connection
 * opens with the first subscriber. When it drops, listenForNotifications re-opens it with backoff; the
 * table read covers what was announced meanwhile, and a slow poll covers a lost poke. Late commits with lower
 * ids are still delivered (createEventTail remembers the gaps).
 */
export function createLeadEventHub(options: LeadEventHubOptions): LeadEventHub {
  const subscribers = new Set<EventSubscriber>();
  const recentIds = new Set<string>();
  const tail = createEventTail(options.db);
  let listener: Listener | undefined;
  let poller: NodeJS.Timeout | undefined;
  let listening = false;
  let started = false;
  let stopped = false;
  let waiters: (() => void)[] = [];

  const deliver = (event: StreamedEvent | undefined) => {
    if (!event || recentIds.has(event.id)) return;
    recentIds.add(event.id);
    if (recentIds.size > RECENT_IDS_KEPT) {
      const oldest = recentIds.values().next().value;
      if (oldest !== undefined) recentIds.delete(oldest);
    }
    for (const subscriber of subscribers) {
      try {
        subscriber.onEvent(event);
      } catch (error) {
        options.logger.warn({ err: error }, 'admin stream subscriber failed');
      }
    }
  };

  // One read at a time; a poke during a read asks for one more read after it.
  let reading: Promise<void> | undefined;
  let readAgain = false;
  const readNew = (): Promise<void> => {
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = (async () => {
      do {
        readAgain = false;
        for (;;) {
          const events = await tail.next();
          for (const event of events) deliver(event);
          if (events.length < TAIL_BATCH_LIMIT) break;
        }
      } while (readAgain && !stopped);
    })()
      .catch((error: unknown) =>
        options.logger.warn({ err: error }, 'admin stream could not read new events; the next poke or poll retries'),
      )
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  const start = async () => {
    started = true;
    // A new hub streams what happens from now on; a browser resumes older events with Last-Event-ID.
    await tail.skipToEnd().catch((error: unknown) => options.logger.warn({ err: error }, 'admin stream could not read the latest event'));
    if (stopped) return;
    listener = listenForNotifications({
      connectionString: options.connectionString,
      applicationName: 'leadline-listener-admin',
      channels: [EVENT_STREAM_NOTIFY_CHANNEL],
      onNotification: () => void readNew(),
      onConnected: () => {
        listening = true;
        void readNew().finally(() => {
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
    poller = setInterval(() => {
      if (subscribers.size > 0) void readNew();
    }, POLL_INTERVAL_MS);
    poller.unref();
  };

  return {
    subscribe(subscriber) {
      if (stopped) {
        subscriber.onClose();
        return () => {};
      }
      subscribers.add(subscriber);
      if (!started) void start();
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
      clearInterval(poller);
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
