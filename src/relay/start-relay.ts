import type { Logger } from 'pino';
import { throughClient } from '../queue/through-client.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import { listenForNotifications } from '../db/listen-for-notifications.ts';
import { logOncePerCause } from '../logging/log-once-per-cause.ts';
import { deliveryJobData, deliveryJobId, deliveryPriority, deliveryQueueName, type DeliveryJobData } from '../delivery/delivery-job.ts';
import { OUTBOX_NOTIFY_CHANNEL } from '../events/event-types.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import type { ReachFaultPoint } from '../shared/fault-point.ts';
import { claimOutboxBatch } from './claim-outbox-batch.ts';
import { markEventsProcessed } from './mark-events-processed.ts';
import { planDeliveries, type DeliveryRouting } from '../delivery/plan-deliveries.ts';

export interface RelayDeps {
  pool: Pool;
  boss: JobQueue;
  /** For the dedicated LISTEN connection. */
  connectionString: string;
  /** Where events go: the configured channels and what webhook endpoints subscribe to. */
  routing: DeliveryRouting;
  pollIntervalMs: number;
  logger: Logger;
  reachFaultPoint: ReachFaultPoint;
  batchSize?: number;
  /**
   * True while the API has visitors waiting (see main.ts: more requests in flight than its pool serves at
   * once). Absent in a process without the API: never busy.
   */
  captureIsBusy?: () => boolean;
  /**
   * True while the API has been out of CPU with visitors waiting for a second or more (watchCaptureOverload).
   * Absent in a process without the API: never overloaded.
   */
  captureIsOverloaded?: () => boolean;
  /** How long alerts may wait while capture is overloaded (OVERLOAD_ALERT_DELAY); 0 = they never wait for it. */
  overloadAlertDelayMs?: number;
}

/**
 * Capture first: while the API is busy, a wake-up starts a pass only after this long, so the CPU goes to
 * the visitors and what arrived meanwhile is relayed in a few large batches, which cost a fraction per event
 * of one small pass per lead. Alerts are at most this much later during the burst; once it passes, wake-ups
 * start passes at once again.
 */
export const GATHER_WHILE_BUSY_MS = 500;

/**
 * The gathering never takes more than half the poll interval: a busy API is also one whose requests wait for
 * the database (slow commits), and "every event relayed within two poll intervals" must hold then too.
 */
export function gatherWhileBusyMs(pollIntervalMs: number): number {
  return Math.min(GATHER_WHILE_BUSY_MS, pollIntervalMs / 2);
}

/** While capture is overloaded, how often a waiting relay looks whether the overload has passed. */
const OVERLOAD_CHECK_MS = 100;

export interface Relay {
  /** Processes everything unprocessed now; resolves when the outbox is empty (used by tests and replay). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Turns outbox events into delivery jobs. Each pass, in ONE transaction: claim a batch of unprocessed events
 * (SKIP LOCKED, so several relays share the work), enqueue one pg-boss job per (event, channel) through the
 * same connection, and mark the events processed. Either all of it commits or none of it does.
 * NOTIFY wakes the relay at once (while the API is busy, after gatherWhileBusyMs; while it is overloaded,
 * once the overload passes or overloadAlertDelayMs has gone by); the poll interval is the backstop for lost
 * notifications.
 */
export function startRelay(deps: RelayDeps): Relay {
  const batchSize = deps.batchSize ?? 200;
  const gatherMs = gatherWhileBusyMs(deps.pollIntervalMs);
  const overloadDelayMs = deps.overloadAlertDelayMs ?? 0;
  const captureIsOverloaded = () => overloadDelayMs > 0 && deps.captureIsOverloaded?.() === true;
  let running: Promise<number> | undefined;
  let wakeAgain = false;
  let stopped = false;

  const relayBatch = () =>
    withTransaction(deps.pool, async (client) => {
      const events = await claimOutboxBatch(client, batchSize);
      if (events.length === 0) return 0;
      // By queue: every agent's address of one kind shares its kind's queue.
      const jobsByQueue = new Map<string, { id: string; data: DeliveryJobData; priority: number }[]>();
      for (const event of events) {
        const priority = deliveryPriority(event.eventType, event.payload);
        for (const channel of planDeliveries(event, deps.routing)) {
          const queue = deliveryQueueName(channel);
          const jobs = jobsByQueue.get(queue) ?? [];
          jobs.push({
            id: deliveryJobId(event.id, channel),
            data: deliveryJobData(channel, { eventId: event.id, tries: 0, priority }),
            priority,
          });
          jobsByQueue.set(queue, jobs);
        }
      }
      const db = throughClient(client);
      for (const [queue, jobs] of jobsByQueue) await deps.boss.insert(queue, jobs, { db });
      await markEventsProcessed(
        client,
        events.map((event) => event.id),
      );
      deps.reachFaultPoint('before_commit');
      return events.length;
    });

  const drainLoop = async (): Promise<number> => {
    let total = 0;
    do {
      wakeAgain = false;
      for (;;) {
        const relayed = await relayBatch();
        total += relayed;
        if (relayed < batchSize) break;
      }
    } while (wakeAgain && !stopped);
    return total;
  };

  /** Single flight: a wake-up during a pass asks that pass to go round once more. */
  const drain = (): Promise<number> => {
    if (running) {
      wakeAgain = true;
      return running;
    }
    running = drainLoop().finally(() => {
      running = undefined;
    });
    return running;
  };

  const reportFailure = logOncePerCause(deps.logger, 'relay pass failed; the next poll retries');
  /** A pass that waits (gathering, or an overload): wake-ups meanwhile are folded into it. */
  let gathering: NodeJS.Timeout | undefined;
  /**
   * Capture first, for a whole burst: while the API is overloaded, what arrives waits (up to overloadDelayMs)
   * and goes out in one go when the burst passes. A pass already running finishes what it claimed; only new
   * passes wait.
   */
  const passAfterOverload = () => {
    const waitingSince = performance.now();
    const check = () => {
      gathering = undefined;
      if (stopped) return;
      if (captureIsOverloaded() && performance.now() - waitingSince < overloadDelayMs) gathering = setTimeout(check, OVERLOAD_CHECK_MS);
      else drain().catch(reportFailure);
    };
    gathering = setTimeout(check, OVERLOAD_CHECK_MS);
  };
  /** A pass now, unless the API is overloaded; then once it has passed. */
  const passUnlessOverloaded = () => {
    if (captureIsOverloaded()) passAfterOverload();
    else drain().catch(reportFailure);
  };
  const wake = () => {
    if (stopped || gathering) return;
    if (deps.captureIsBusy?.() && !captureIsOverloaded()) {
      // An overload that begins while gathering holds the pass back too.
      gathering = setTimeout(() => {
        gathering = undefined;
        if (!stopped) passUnlessOverloaded();
      }, gatherMs);
    } else passUnlessOverloaded();
  };

  const listener = listenForNotifications({
    connectionString: deps.connectionString,
    applicationName: 'leadline-listener-relay',
    channels: [OUTBOX_NOTIFY_CHANNEL],
    onNotification: wake,
    onConnected: wake,
    onError: logOncePerCause(deps.logger, 'relay LISTEN connection lost; reconnecting (polling continues)'),
  });
  const poller = setInterval(wake, deps.pollIntervalMs);

  return {
    drain,
    async stop() {
      stopped = true;
      clearInterval(poller);
      clearTimeout(gathering);
      await listener.stop();
      await running?.catch(() => 0);
    },
  };
}
