import type { Logger } from 'pino';
import { listenForNotifications } from '../db/listen-for-notifications.ts';
import { logOncePerCause } from '../logging/log-once-per-cause.ts';
import { EVENT_STREAM_NOTIFY_CHANNEL } from '../events/event-types.ts';

export interface NewLeadListener {
  stop(): Promise<void>;
}

/**
 * Calls `onLeads` with the ids of leads as their `lead.created` events commit (the `leadline_events`
 * NOTIFY), batched over a few milliseconds. NOTIFY is only a latency hint: a notification sent while the
 * connection was down is gone, so `onConnected` runs after every (re)connect for the caller to catch up
 * from the table, and the caller's sweep covers the rest.
 */
export function listenForNewLeads(options: {
  connectionString: string;
  logger: Logger;
  onLeads: (ids: string[]) => Promise<void>;
  onConnected: () => Promise<void>;
  batchWindowMs?: number;
}): NewLeadListener {
  const batchWindowMs = options.batchWindowMs ?? 10;
  let pending = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  // One chain, so batches are scheduled in order and stop() can wait for the last one.
  let inFlight: Promise<void> = Promise.resolve();
  const run = (work: () => Promise<void>, what: string) => {
    inFlight = inFlight
      .then(work)
      .catch((error: unknown) => options.logger.warn({ err: error }, `${what} failed; the SLA sweep will catch up`));
  };

  const flush = () => {
    flushTimer = undefined;
    const ids = [...pending];
    pending = new Set();
    if (ids.length > 0) run(() => options.onLeads(ids), 'scheduling SLA timers for new leads');
  };

  const listener = listenForNotifications({
    connectionString: options.connectionString,
    applicationName: 'leadline-listener-sla',
    channels: [EVENT_STREAM_NOTIFY_CHANNEL],
    onNotification: (_channel, payload) => {
      try {
        const event = JSON.parse(payload) as { event_type?: unknown; conversation_id?: unknown };
        if (event.event_type !== 'lead.created' || typeof event.conversation_id !== 'string') return;
        pending.add(event.conversation_id);
        flushTimer ??= setTimeout(flush, batchWindowMs);
      } catch {
        // Malformed: the sweep is the source of truth anyway.
      }
    },
    onConnected: () => run(options.onConnected, 'catching up on SLA timers after (re)connecting'),
    onError: logOncePerCause(options.logger, 'SLA monitor LISTEN connection failed; reconnecting'),
  });

  return {
    async stop() {
      await listener.stop();
      if (flushTimer) {
        clearTimeout(flushTimer);
        flush();
      }
      await inFlight;
    },
  };
}
