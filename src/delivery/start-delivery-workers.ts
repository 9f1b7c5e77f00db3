import type { Logger } from 'pino';
import { ChannelError, type Channel, type Notice, type OutgoingMessage } from '../channels/channel.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { beginDeliveryAttempts, type BegunAttempt } from './begin-delivery-attempts.ts';
import { deliveryQueueName, type DeliveryJobData } from './delivery-job.ts';
import { DELIVERY_LEASE_MS } from './ensure-delivery-queues.ts';
import { markAttemptsDispatched } from './mark-attempts-dispatched.ts';
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

/** Messages in flight at once per process on a channel that never coalesces (the SMTP pool size). */
export const UNCOALESCED_PARALLEL_SENDS = 3;

/** How long a paused worker's in-hand jobs wait before they are looked at again. */
const HOLD_WHILE_PAUSED_MS = 2_000;

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
      const key = `${data.eventId}:${round}`;
      wanted.set(key, { eventId: data.eventId, round, tries: Math.max(wanted.get(key)?.tries ?? 0, data.tries) });
    }
    const triesOf = (eventId: string, round: number) => wanted.get(`${eventId}:${round}`)?.tries ?? 0;

    if (deps.pause.isPaused()) {
      const holdUntil = new Date(Date.now() + HOLD_WHILE_PAUSED_MS);
      await deps.boss.insert(queue, [...wanted.values()].map((data) => ({ data, startAfter: holdUntil })));
      return;
    }

    const begun = await beginDeliveryAttempts(deps.pool, { channel: channel.name, destination: channel.destination, deliveries: [...wanted.values()], leaseMs: DELIVERY_LEASE_MS });
    if (begun.inFlight.length > 0) {
      // Another worker holds these; if it dies, its lease ends and this job finishes the work.
      await deps.boss.insert(queue, begun.inFlight.map(({ eventId, round, retryAt }) => ({ data: { eventId, round, tries: triesOf(eventId, round) }, startAfter: retryAt })));
    }
    if (begun.started.length === 0) return;

    const notices = await loadDeliveryNotices(deps.pool, begun.started.map((attempt) => attempt.eventId), deps.adminBaseUrl);
    const pending: PendingDelivery[] = [];
    const orphaned: BegunAttempt[] = [];
    for (const attempt of begun.started) {
      const notice = notices.get(attempt.eventId);
      if (notice) pending.push({ attempt, notice, tries: triesOf(attempt.eventId, attempt.round) });
      else orphaned.push(attempt);
    }
    if (orphaned.length > 0) {
      await recordFailedDeliveries(deps.pool, {
        channel: channel.name,
        kind: 'permanent',
        errorMessage: 'the event or its lead no longer exists',
        deliveries: orphaned.map((attempt) => ({ logId: attempt.logId, nextAttemptAt: undefined })),
      });
    }

    // Coalesce only when sending one by one at the destination's pace would take longer than a few seconds:
    // then one summary names every lead instead of the alerts falling minutes behind.
    const oneByOneMs = pending.length * channel.minIntervalMs;
    const groups = oneByOneMs > COALESCE_WHEN_BEHIND_MS ? chunk(pending, channel.maxNoticesPerMessage) : chunk(pending, 1);
    // Channels that never coalesce (email) send side by side to keep up; the others send one message at a
    // time, which also bounds what a crash can repeat to one message per channel.
    const parallel = channel.maxNoticesPerMessage === 1 ? UNCOALESCED_PARALLEL_SENDS : 1;
    await forEachLimited(groups, parallel, (group) => sendGroup(channel, group));
  };

  const sendGroup = async (channel: Channel, group: PendingDelivery[]): Promise<void> => {
    const first = group[0]!;
    // A forced replay is a deliberate resend: it gets its own Message-ID so mail clients do not fold it away.
    const roundSuffix = first.attempt.round > 0 ? `.r${first.attempt.round}` : '';
    const message: OutgoingMessage = { notices: group.map((delivery) => delivery.notice), messageKey: `${first.attempt.eventId}.${channel.name}${roundSuffix}` };
    await waitForSendSlot(deps.pool, channel.destination, channel.minIntervalMs);
    await markAttemptsDispatched(
      deps.pool,
      group.map((delivery) => delivery.attempt.logId),
    );
    try {
      const result = await channel.send(message);
      await recordSentDeliveries(deps.pool, { logIds: group.map((delivery) => delivery.attempt.logId), providerMessageId: result.providerMessageId, coalescedCount: group.length });
    } catch (error) {
      const failure = error instanceof ChannelError ? error : new ChannelError('transient', `unexpected error: ${(error as Error).message}`, { cause: error });
      deps.logger.warn({ channel: channel.name, kind: failure.kind, providerCode: failure.providerCode, deliveries: group.length, err: failure }, 'delivery failed');
      await rescheduleOrBury(channel, group, failure);
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
        const db = { executeSql: async (text: string, values?: unknown[]) => client.query(text, values) };
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
