import type { Logger } from 'pino';
import type { Queryable } from '../db/create-pool.ts';
import { listenForNotifications } from '../db/listen-for-notifications.ts';
import { EVENT_STREAM_NOTIFY_CHANNEL } from '../events/event-types.ts';
import { createEventTail, TAIL_BATCH_LIMIT } from '../events/tail-events.ts';
import { logOncePerCause } from '../logging/log-once-per-cause.ts';

export interface NewLeadListener {
  stop(): Promise<void>;
}

/**
 * Calls `onLeads` with the ids of leads whose `lead.created` events committed, read from the table each
 * time a writer announces new events (the payload-free `leadline_events` NOTIFY). NOTIFY is only a latency
 * hint: after every (re)connect `onConnected` runs for the caller to catch up from the table, and the
 * caller's sweep covers the rest.
 */
export function listenForNewLeads(options: {
  connectionString: string;
  db: Queryable;
  logger: Logger;
  onLeads: (ids: string[]) => Promise<void>;
  onConnected: () => Promise<void>;
}): NewLeadListener {
  const tail = createEventTail(options.db);
  // The tail starts at the end when the connection is first made: what came before is the catch-up's
  // (onConnected) and the sweep's.
  let tailStarted = false;
  const startTail = async () => {
    if (tailStarted) return;
    await tail.skipToEnd();
    tailStarted = true;
  };
  // One chain, so batches are scheduled in order and stop() can wait for the last one.
  let inFlight: Promise<void> = Promise.resolve();
  let pending = false;
  const run = (work: () => Promise<void>, what: string) => {
    inFlight = inFlight
      .then(work)
      .catch((error: unknown) => options.logger.warn({ err: error }, `${what} failed; the SLA sweep will catch up`));
  };
  const readNewLeads = async () => {
    pending = false;
    await startTail();
    for (;;) {
      const events = await tail.next();
      const ids = [
        ...new Set(
          events.filter((event) => event.event_type === 'lead.created' && event.conversation_id).map((event) => event.conversation_id!),
        ),
      ];
      if (ids.length > 0) await options.onLeads(ids);
      if (events.length < TAIL_BATCH_LIMIT) return;
    }
  };

  const listener = listenForNotifications({
    connectionString: options.connectionString,
    applicationName: 'leadline-listener-sla',
    channels: [EVENT_STREAM_NOTIFY_CHANNEL],
    onNotification: () => {
      // Pokes that come while a read waits to run are folded into that read.
      if (pending) return;
      pending = true;
      run(readNewLeads, 'scheduling SLA timers for new leads');
    },
    onConnected: () =>
      run(async () => {
        await startTail();
        await options.onConnected();
      }, 'catching up on SLA timers after (re)connecting'),
    onError: logOncePerCause(options.logger, 'SLA monitor LISTEN connection failed; reconnecting'),
  });

  return {
    async stop() {
      await listener.stop();
      await inFlight;
    },
  };
}
