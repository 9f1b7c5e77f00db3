import type { Logger } from 'pino';
import { throughClient } from '../queue/through-client.ts';
import { ChannelError, type Channel, type Notice, type OutgoingMessage } from '../channels/channel.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { beginDeliveryAttempts, type BegunAttempt, type DeliveryKey } from './begin-delivery-attempts.ts';
import { deliveryQueueName, type DeliveryJobData } from './delivery-job.ts';
import { DELIVERY_LEASE_MS } from './ensure-delivery-queues.ts';
import { loadDeliveryNotices } from './load-delivery-notices.ts';
import type { PauseSwitch } from './pause-switch.ts';
import { recordFailedDeliveries } from './record-failed-deliveries.ts';
import { recordSentDeliveries } from './record-sent-deliveries.ts';
import { MAX_ATTEMPTS, nextRetryDelayMs } from './retry-schedule.ts';
import { pushBackSendSlots, waitForSendSlot } from './wait-for-send-slot.ts';

export interface DeliveryWorkerDeps {
  pool: Pool;
  boss: JobQueue;
  channels: Channel[];
  pause: PauseSwitch;
  logger: Logger;
  /** Base URL for links to the admin panel in alerts. */
  adminBaseUrl: string;
}

/** Backlog (in send time at the destination's pace) past which waiting alerts are summarised. */
export const COALESCE_WHEN_BEHIND_MS = 3_000;

/** Alerts waiting for one destination past which they go out as summaries even without pacing. */
export const COALESCE_WHEN_WAITING = 25;

/** Messages in flight at once to a destination without pacing. */
export const UNPACED_PARALLEL_SENDS = 16;

/** How long a paused worker's in-hand jobs wait before they are looked at again. */
const HOLD_WHILE_PAUSED_MS = 2_000;

interface SentMessage {
  logIds: string[];
  providerMessageId: string | null;
}

const keyOf = (key: DeliveryKey): string => `${key.eventId}:${key.round}`;

interface PlannedDelivery {
  key: DeliveryKey;
  notice: Notice;
  tries: number;
}

interface PendingDelivery {
  attempt: BegunAttempt;
  notice: Notice;
  tries: number;
}

/**
 * One pg-boss worker per channel. A fetched batch is one unit: its deliveries start as `sending` rows, are
 * grouped into messages (several notices become one summary on channels that allow it: that is how a burst
 * is coalesced instead of falling behind the pace), each message waits for the destination's send slot, and
 * the outcome is recorded per delivery. Provider errors never fail the pg-boss job: they are classified and
 * rescheduled here (rate limits after the provider's wait without using up attempts; transient errors with
 * backoff; permanent ones straight to the dead letters). pg-boss's own retry only covers a worker that died.
 */
export async function startDeliveryWorkers(deps: DeliveryWorkerDeps): Promise<{ stop(): Promise<void> }> {
  const workerIds = new Map<string, string>();

  const handleBatch = async (channel: Channel, jobs: { data: DeliveryJobData }[]): Promise<void> => {
    const queue = deliveryQueueName(channel.name);
    // One entry per (event, round), keeping the most tries spent if a delivery was queued twice.
    const wanted = new Map<string, DeliveryJobData & { round: number }>();
    for (const { data } of jobs) {
      const round = data.round ?? 0;
      const key = keyOf({ eventId: data.eventId, round });
      wanted.set(key, { eventId: data.eventId, round, tries: Math.max(wanted.get(key)?.tries ?? 0, data.tries) });
    }

    if (deps.pause.isPaused()) {
      const holdUntil = new Date(Date.now() + HOLD_WHILE_PAUSED_MS);
      await deps.boss.insert(queue, [...wanted.values()].map((data) => ({ data, startAfter: holdUntil })));
      return;
    }

    const notices = await loadDeliveryNotices(deps.pool, [...new Set([...wanted.values()].map((data) => data.eventId))], deps.adminBaseUrl);
    const planned: PlannedDelivery[] = [];
    const orphaned: DeliveryKey[] = [];
    for (const data of wanted.values()) {
      const notice = notices.get(data.eventId);
      if (notice) planned.push({ key: { eventId: data.eventId, round: data.round }, notice, tries: data.tries });
      else orphaned.push({ eventId: data.eventId, round: data.round });
    }
    if (orphaned.length > 0) await buryOrphans(channel, orphaned);

    // Coalesce when sending one by one would fall behind: at the destination's pace that would take more than
    // a few seconds, or so many alerts wait that separate messages would bury the channel. Then one summary
    // names every lead.
    const behind = planned.length * channel.minIntervalMs > COALESCE_WHEN_BEHIND_MS || planned.length >= COALESCE_WHEN_WAITING;
    const groups = behind ? chunk(planned, channel.maxNoticesPerMessage) : chunk(planned, 1);
    // Unpaced destinations (email, or Slack/Telegram with pacing off) send the batch side by side with shared
    // bookkeeping; paced ones send one message per slot, which also bounds what a crash can repeat to one
    // message per channel.
    if (channel.minIntervalMs === 0) {
      await sendUnpacedBatch(channel, groups);
      return;
    }
    await forEachLimited(groups, 1, (group) => sendGroup(channel, group));
  };

  /**
   * A destination without pacing (email; Slack or Telegram with their pacing set to 0): the whole batch
   * starts in one statement, its messages go out side by side (up to the channel's `maxConcurrentSends`, else
   * UNPACED_PARALLEL_SENDS), and every success is recorded in one statement, so a delivery costs a share of
   * three round trips instead of two commits of its own. A crash mid-batch flags the batch's unrecorded
   * attempts as possible duplicates; at most the messages in flight can really repeat.
   */
  const sendUnpacedBatch = async (channel: Channel, groups: PlannedDelivery[][]): Promise<void> => {
    const started = await startAttempts(channel, groups.flat());
    const startedGroups = groups
      .map((group) => group.flatMap((planned) => started.get(keyOf(planned.key)) ?? []))
      .filter((group) => group.length > 0);
    const sent: SentMessage[] = [];
    await forEachLimited(startedGroups, channel.maxConcurrentSends ?? UNPACED_PARALLEL_SENDS, async (group) => {
      const outcome = await sendMessage(channel, group);
      if (outcome) sent.push(outcome);
    });
    if (sent.length > 0) await recordSentDeliveries(deps.pool, sent);
  };

  /** Deliveries whose event or lead is gone: recorded as dead so nothing waits on them. */
  const buryOrphans = async (channel: Channel, orphaned: DeliveryKey[]): Promise<void> => {
    const begun = await beginDeliveryAttempts(deps.pool, { channel: channel.name, destination: channel.destination, deliveries: orphaned, leaseMs: DELIVERY_LEASE_MS });
    if (begun.started.length === 0) return;
    await recordFailedDeliveries(deps.pool, {
      channel: channel.name,
      kind: 'permanent',
      errorMessage: 'the event or its lead no longer exists',
      deliveries: begun.started.map((attempt) => ({ logId: attempt.logId, nextAttemptAt: undefined })),
    });
  };

  /** A paced destination: one message per send slot, its outcome recorded before the next. */
  const sendGroup = async (channel: Channel, group: PlannedDelivery[]): Promise<void> => {
    await waitForSendSlot(deps.pool, channel.destination, channel.minIntervalMs);
    const started = [...(await startAttempts(channel, group)).values()];
    if (started.length === 0) return;
    const outcome = await sendMessage(channel, started);
    if (outcome) await recordSentDeliveries(deps.pool, [outcome]);
  };

  /**
   * Starts attempts right before sending (at most one live attempt per delivery, by the unique index). Those
   * another worker holds are looked at again when its lease ends, in case it died. Returns the started ones.
   */
  const startAttempts = async (channel: Channel, planned: PlannedDelivery[]): Promise<Map<string, PendingDelivery>> => {
    const byKey = new Map(planned.map((entry) => [keyOf(entry.key), entry]));
    const begun = await beginDeliveryAttempts(deps.pool, { channel: channel.name, destination: channel.destination, deliveries: planned.map((entry) => entry.key), leaseMs: DELIVERY_LEASE_MS });
    if (begun.inFlight.length > 0) {
      await deps.boss.insert(
        deliveryQueueName(channel.name),
        begun.inFlight.map((held) => ({ data: { eventId: held.eventId, round: held.round, tries: byKey.get(keyOf(held))?.tries ?? 0 }, startAfter: held.retryAt })),
      );
    }
    return new Map(
      begun.started.map((attempt) => {
        const entry = byKey.get(keyOf(attempt))!;
        return [keyOf(attempt), { attempt, notice: entry.notice, tries: entry.tries }];
      }),
    );
  };

  /** Sends one message; a failure is classified and rescheduled or buried here, a success returned for recording. */
  const sendMessage = async (channel: Channel, group: PendingDelivery[]): Promise<SentMessage | undefined> => {
    const first = group[0]!;
    // A forced replay is a deliberate resend: it gets its own Message-ID so mail clients do not fold it away.
    const roundSuffix = first.attempt.round > 0 ? `.r${first.attempt.round}` : '';
    const message: OutgoingMessage = { notices: group.map((delivery) => delivery.notice), messageKey: `${first.attempt.eventId}.${channel.name}${roundSuffix}` };
    try {
      const result = await channel.send(message);
      return { logIds: group.map((delivery) => delivery.attempt.logId), providerMessageId: result.providerMessageId };
    } catch (error) {
      const failure = error instanceof ChannelError ? error : new ChannelError('transient', `unexpected error: ${(error as Error).message}`, { cause: error });
      deps.logger.warn({ channel: channel.name, kind: failure.kind, providerCode: failure.providerCode, deliveries: group.length, err: failure }, 'delivery failed');
      await rescheduleOrBury(channel, group, failure);
      return undefined;
    }
  };

  const rescheduleOrBury = async (channel: Channel, group: PendingDelivery[], failure: ChannelError): Promise<void> => {
    const queue = deliveryQueueName(channel.name);
    const now = Date.now();
    const plan = group.map((delivery) => {
      if (failure.kind === 'permanent') return { delivery, tries: delivery.tries + 1, at: undefined };
      if (failure.kind === 'rate_limited') return { delivery, tries: delivery.tries, at: new Date(now + (failure.retryAfterMs ?? 1_000)) };
      const tries = delivery.tries + 1;
      const delay = tries < MAX_ATTEMPTS ? nextRetryDelayMs(tries) : undefined;
      return { delivery, tries, at: delay === undefined ? undefined : new Date(now + delay) };
    });
    const errorMessage = `${failure.providerCode ? `${failure.providerCode}: ` : ''}${failure.message}`.slice(0, 500);
    await withTransaction(deps.pool, async (client) => {
      await recordFailedDeliveries(client, {
        channel: channel.name,
        kind: failure.kind,
        errorMessage,
        deliveries: plan.map(({ delivery, at }) => ({ logId: delivery.attempt.logId, nextAttemptAt: at })),
      });
      const retries = plan.filter((entry) => entry.at !== undefined);
      if (retries.length > 0) {
        const db = throughClient(client);
        await deps.boss.insert(
          queue,
          retries.map(({ delivery, tries, at }) => ({ data: { eventId: delivery.attempt.eventId, round: delivery.attempt.round, tries }, startAfter: at! })),
          { db },
        );
      }
      if (failure.kind === 'rate_limited') await pushBackSendSlots(client, channel.destination, failure.retryAfterMs ?? 1_000);
    });
  };

  const startWorker = async (channel: Channel) => {
    const queue = deliveryQueueName(channel.name);
    const id = await deps.boss.work<DeliveryJobData>(
      queue,
      {
        batchSize: Math.max(channel.maxNoticesPerMessage, channel.minIntervalMs > 0 ? 1 : 20),
        pollingIntervalSeconds: 0.5,
        notifyPollingIntervalSeconds: 1,
        burstWhenBatchFull: true,
        // One batch at a time per process: what a crash can repeat stays bounded by the sends in flight.
        localConcurrency: 1,
      },
      async (jobs) => {
        await handleBatch(channel, jobs);
      },
    );
    workerIds.set(queue, id);
  };

  const startAll = async () => {
    for (const channel of deps.channels) if (!workerIds.has(deliveryQueueName(channel.name))) await startWorker(channel);
  };
  const stopAll = async () => {
    const queues = [...workerIds.keys()];
    workerIds.clear();
    await Promise.all(queues.map((queue) => deps.boss.offWork(queue, { wait: true })));
  };

  // Paused: stop fetching, so held jobs stay queued untouched; resumed: fetch again.
  let transition: Promise<void> = Promise.resolve();
  deps.pause.onChange((paused) => {
    transition = transition
      .then(() => (paused ? stopAll() : startAll()))
      .catch((error: unknown) => deps.logger.error({ err: error }, 'could not switch delivery workers after pause/resume'));
  });
  if (!deps.pause.isPaused()) await startAll();

  return {
    async stop() {
      await transition;
      await stopAll();
    },
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let index = 0; index < items.length; index += Math.max(1, size)) groups.push(items.slice(index, index + Math.max(1, size)));
  return groups;
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(runners);
}
