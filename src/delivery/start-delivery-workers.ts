import type { Logger } from 'pino';
import { throughClient } from '../queue/through-client.ts';
import { ChannelError, type Channel, type Notice, type OutgoingMessage } from '../channels/channel.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import { retryWhileUnavailable } from '../db/retry-while-unavailable.ts';
import { JOB_HEARTBEAT_REFRESH_SECONDS } from '../queue/ensure-queue.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import type { Clock } from '../shared/clock.ts';
import type { ReachFaultPoint } from '../shared/fault-point.ts';
import { teamLinkUrl, type TeamLinkKeys } from '../leads/open-team-link-keys.ts';
import {
  agentChannelName,
  agentChannelParts,
  isAgentChannel,
  isWebhookChannel,
  webhookEndpointOf,
  type AgentChannelKind,
} from '../shared/channel-names.ts';
import { beginDeliveryAttempts, type BegunAttempt } from './begin-delivery-attempts.ts';
import { agentDeliveryQueueName, deliveryJobData, deliveryQueueName, type DeliveryJobData } from './delivery-job.ts';
import { loadAgentAddresses } from './load-agent-addresses.ts';
import { DELIVERY_LEASE_MS } from './ensure-delivery-queues.ts';
import { disableWebhookEndpoint, HELD_WHILE_DISABLED } from './disable-webhook-endpoint.ts';
import { groupCommits } from './group-commits.ts';
import { isWebhookEndpointDisabled } from './is-webhook-endpoint-disabled.ts';
import { loadDeliveryNotices, type DeliveryNotice } from './load-delivery-notices.ts';
import { loadEventNotices } from './load-event-notices.ts';
import type { PauseSwitch } from './pause-switch.ts';
import {
  collectWantedDeliveries,
  deliveryKeyOf,
  planDeliveryGroups,
  type DeliveryKey,
  type PlannedDelivery,
  type WantedDelivery,
} from './plan-delivery-groups.ts';
import { DEFAULT_RATE_LIMIT_WAIT_MS, planFailedAttempts } from './plan-failed-attempts.ts';
import { recordFailedDeliveries } from './record-failed-deliveries.ts';
import { recordSentDeliveries, type SentDelivery } from './record-sent-deliveries.ts';
import { skipDeliveries } from './skip-deliveries.ts';
import { pushBackSendSlots, waitForSendSlot } from './wait-for-send-slot.ts';

export interface DeliveryWorkerDeps {
  pool: Pool;
  boss: JobQueue;
  channels: Channel[];
  /** Per kind, the channel agents' own addresses go out through (its forAddress); a kind missing is not sent. */
  agentChannels?: ReadonlyMap<AgentChannelKind, Channel>;
  pause: PauseSwitch;
  logger: Logger;
  clock: Clock;
  /** This process in `worker_processes`: the owner of the attempts it starts. */
  processId: string;
  /** Base URL for links to the admin panel in alerts (and of the team links, `/l/<token>`). */
  adminBaseUrl: string;
  /** Signs the one-tap link every lead alert carries; without it alerts carry none. */
  teamLinks?: TeamLinkKeys;
  reachFaultPoint: ReachFaultPoint;
  /** Tells the relay and the live streams, after a commit, that events were written. */
  announce?: AnnounceEvents;
  /** Told of every finished send: the metrics count outcomes and time lead alerts from capture to acceptance. */
  onDelivered?: (channel: string, outcome: 'sent' | 'retrying' | 'dead' | 'held', leadCreatedAt: readonly Date[]) => void;
}

/**
 * Messages in flight at once to one destination, unless a channel says otherwise: one. A crash can repeat
 * only a message the provider accepted and we had not recorded yet, so one in flight bounds what a kill
 * repeats to one message per channel. A backlog is drained by summaries (planDeliveryGroups), not by
 * parallel sends.
 */
export const DEFAULT_CONCURRENT_SENDS = 1;

/** Why a delivery of an erased lead was not sent (notification_logs.error_message; no personal data). */
const ERASED_LEAD_REASON = 'not sent: the lead was erased';

/** How long a paused worker's in-hand jobs wait before they are looked at again. */
const HOLD_WHILE_PAUSED_MS = 2_000;

interface SentMessage {
  deliveries: SentDelivery[];
  providerMessageId: string | null;
}

interface PendingDelivery {
  attempt: BegunAttempt;
  source: DeliveryNotice;
  tries: number;
}

const sentDelivery = ({ attempt, source }: PendingDelivery): SentDelivery => ({
  logId: attempt.logId,
  eventId: attempt.eventId,
  eventType: source.eventType,
  conversationId: source.conversationId,
  attempt: attempt.attempt,
  possibleDuplicate: attempt.possibleDuplicate,
});

/**
 * One pg-boss worker per channel. A fetched batch is one unit: its deliveries are planned into messages
 * (planDeliveryGroups: several notices become one summary when sending them one by one would fall behind),
 * each message waits for the destination's send slot, its deliveries start as `sending` rows owned by this
 * process right before the provider call, and the outcome is recorded per delivery. Provider errors never
 * fail the pg-boss job: they are classified and rescheduled here (planFailedAttempts). pg-boss's own retry
 * only covers a worker that died, and a dead worker's jobs are handed back within seconds (its heartbeat
 * stops; see failOrphanedJobs).
 */
export async function startDeliveryWorkers(deps: DeliveryWorkerDeps): Promise<{ stop(): Promise<void> }> {
  const workerIds = new Map<string, string>();
  /**
   * Attempts this process's handlers hold right now, per channel. An own attempt still `sending` that no
   * handler holds was left by a handler that failed (its outcome could not be recorded): the next batch
   * closes it as interrupted instead of waiting out the lease.
   */
  const held = new Map<string, Set<string>>();
  const heldFor = (channel: Channel) => {
    let set = held.get(channel.name);
    if (!set) held.set(channel.name, (set = new Set()));
    return set;
  };

  const requeue = (channel: Channel, deliveries: readonly (WantedDelivery & { startAfter: Date })[]) =>
    deps.boss.insert(
      deliveryQueueName(channel.name),
      deliveries.map(({ eventId, round, tries, priority, startAfter }) => ({
        data: deliveryJobData(channel.name, { eventId, round, tries, priority }),
        startAfter,
        ...(priority === undefined ? {} : { priority }),
      })),
    );

  /** The link names the agent when the alert goes to one agent's own address. */
  const teamLinkFor = (channel: Channel) => {
    const links = deps.teamLinks;
    if (!links) return undefined;
    const agentId = isAgentChannel(channel.name) ? agentChannelParts(channel.name).agentId : null;
    return async (leadId: string) => teamLinkUrl(deps.adminBaseUrl, await links.sign({ leadId, agentId }));
  };

  const handleBatch = async (channel: Channel, jobs: { data: DeliveryJobData }[]): Promise<void> => {
    const holding = heldFor(channel);
    try {
      await planAndSend(channel, jobs);
    } finally {
      holding.clear();
    }
  };

  const planAndSend = async (channel: Channel, jobs: { data: DeliveryJobData }[]): Promise<void> => {
    const wanted = collectWantedDeliveries(jobs);
    if (deps.pause.isPaused()) {
      const holdUntil = new Date(deps.clock.now().getTime() + HOLD_WHILE_PAUSED_MS);
      await requeue(
        channel,
        wanted.map((delivery) => ({ ...delivery, startAfter: holdUntil })),
      );
      return;
    }

    const eventIds = [...new Set(wanted.map((delivery) => delivery.eventId))];
    const notices =
      channel.receives === 'events'
        ? await loadEventNotices(deps.pool, eventIds, deps.adminBaseUrl)
        : await loadDeliveryNotices(deps.pool, eventIds, deps.adminBaseUrl, teamLinkFor(channel));
    const planned: PlannedDelivery[] = [];
    const orphaned: DeliveryKey[] = [];
    for (const delivery of wanted) {
      const source = notices.get(delivery.eventId);
      const key = { eventId: delivery.eventId, round: delivery.round };
      if (source) planned.push({ key, source, tries: delivery.tries });
      else orphaned.push(key);
    }
    if (orphaned.length > 0) await closeAsSkipped(channel, orphaned, 'nothing to send: the event, its lead or its digest no longer exists');
    // A disabled endpoint (its receiver answered 410) sends nothing: its deliveries are held until it is enabled.
    if (planned.length > 0 && channel.canBeDisabled && (await isWebhookEndpointDisabled(deps.pool, channel.name))) {
      await closeAsSkipped(
        channel,
        planned.map((entry) => entry.key),
        HELD_WHILE_DISABLED,
      );
      for (const _entry of planned) deps.onDelivered?.(channel.name, 'held', []);
      return;
    }

    const groups = planDeliveryGroups(planned, channel);
    // Unpaced destinations (email, or Slack/Telegram with pacing off) send the batch side by side with shared
    // bookkeeping; paced ones send one message per slot, which also bounds what a crash can repeat to one
    // message per channel.
    if (channel.minIntervalMs === 0) {
      await sendUnpacedBatch(channel, groups);
      return;
    }
    for (const [index, group] of groups.entries()) {
      const slot = await waitForSendSlot(deps.pool, channel.destination, channel.minIntervalMs);
      if (!slot.reserved) {
        // The pace was pushed back further than a handler may sleep: this and the remaining messages wait
        // in the queue for the slot instead.
        const rest = groups.slice(index).flat();
        await requeue(
          channel,
          rest.map((entry) => ({ ...entry.key, tries: entry.tries, startAfter: slot.notBefore })),
        );
        return;
      }
      await sendGroup(channel, group);
    }
  };

  /**
   * A destination without pacing (email; Slack or Telegram with their pacing set to 0): the whole batch
   * starts in one statement, its messages go out as fast as the provider answers (side by side only for a
   * channel with `maxConcurrentSends` above one), and each is recorded before its sender sends the next, so
   * a crash repeats at most the messages in flight at that instant; every repeat is flagged as a possible
   * duplicate. Messages accepted together are recorded together (groupCommits): one statement, not one each.
   */
  const sendUnpacedBatch = async (channel: Channel, groups: PlannedDelivery[][]): Promise<void> => {
    const started = await startAttempts(channel, groups.flat());
    const startedGroups = groups
      .map((group) => group.flatMap((planned) => started.get(deliveryKeyOf(planned.key)) ?? []))
      .filter((group) => group.length > 0);
    if (startedGroups.length === 0) return;
    const recordSent = groupCommits<SentMessage>((messages) =>
      retryWhileUnavailable(() => recordSentDeliveries(deps.pool, channel.name, messages)),
    );
    deps.reachFaultPoint('before_send');
    await forEachLimited(startedGroups, channel.maxConcurrentSends ?? DEFAULT_CONCURRENT_SENDS, async (group) => {
      const outcome = await sendMessage(channel, group);
      if (!outcome) return;
      deps.reachFaultPoint('after_send');
      await recordSent(outcome);
      deps.announce?.();
    });
  };

  /**
   * Deliveries not to send now, closed as skipped so nothing waits on them: nothing is left to send (the event
   * or its lead is gone), or the endpoint is disabled (held: enabling it sends them).
   */
  const closeAsSkipped = async (channel: Channel, deliveries: DeliveryKey[], reason: string): Promise<void> => {
    const begun = await beginDeliveryAttempts(deps.pool, {
      channel: channel.name,
      destination: channel.destination,
      deliveries,
      leaseMs: DELIVERY_LEASE_MS,
      processId: deps.processId,
      heldByThisProcess: [...heldFor(channel)],
    });
    await skipDeliveries(
      deps.pool,
      begun.started.map((attempt) => attempt.logId),
      reason,
    );
  };

  /** A paced destination, its slot reserved: one message, its outcome recorded before the next. */
  const sendGroup = async (channel: Channel, group: PlannedDelivery[]): Promise<void> => {
    const started = [...(await startAttempts(channel, group)).values()];
    if (started.length === 0) return;
    deps.reachFaultPoint('before_send');
    const outcome = await sendMessage(channel, started);
    if (outcome) {
      deps.reachFaultPoint('after_send');
      await retryWhileUnavailable(() => recordSentDeliveries(deps.pool, channel.name, [outcome]));
      deps.announce?.();
    }
  };

  /**
   * Starts attempts right before sending (at most one live attempt per delivery, by the unique index). Those
   * a live process holds are looked at again when it would count as dead. Returns the started ones.
   */
  const startAttempts = async (channel: Channel, planned: PlannedDelivery[]): Promise<Map<string, PendingDelivery>> => {
    const byKey = new Map(planned.map((entry) => [deliveryKeyOf(entry.key), entry]));
    const holding = heldFor(channel);
    const begun = await beginDeliveryAttempts(deps.pool, {
      channel: channel.name,
      destination: channel.destination,
      deliveries: planned.map((entry) => entry.key),
      leaseMs: DELIVERY_LEASE_MS,
      processId: deps.processId,
      heldByThisProcess: [...holding],
    });
    for (const attempt of begun.started) holding.add(attempt.logId);
    // Erased since its notice was loaded: the personal data it would carry is gone from the database, and it
    // must not leave through this message either.
    const erased = begun.started.filter((attempt) => attempt.leadErased);
    if (erased.length > 0)
      await skipDeliveries(
        deps.pool,
        erased.map((attempt) => attempt.logId),
        ERASED_LEAD_REASON,
      );
    const sendable = begun.started.filter((attempt) => !attempt.leadErased);
    if (begun.inFlight.length > 0) {
      await requeue(
        channel,
        begun.inFlight.map((held) => ({
          eventId: held.eventId,
          round: held.round,
          tries: byKey.get(deliveryKeyOf(held))?.tries ?? 0,
          startAfter: held.retryAt,
        })),
      );
    }
    return new Map(
      sendable.map((attempt) => {
        const entry = byKey.get(deliveryKeyOf(attempt))!;
        return [deliveryKeyOf(attempt), { attempt, source: entry.source, tries: entry.tries }];
      }),
    );
  };

  /** Sends one message; a failure is classified and rescheduled or buried here, a success returned for recording. */
  const sendMessage = async (channel: Channel, group: PendingDelivery[]): Promise<SentMessage | undefined> => {
    const first = group[0]!;
    // A forced replay is a deliberate resend: it gets its own Message-ID so mail clients do not fold it away.
    const roundSuffix = first.attempt.round > 0 ? `.r${first.attempt.round}` : '';
    const message: OutgoingMessage = {
      notices: group.map((delivery) => delivery.source.notice),
      messageKey: `${first.attempt.eventId}.${channel.name}${roundSuffix}`,
    };
    try {
      const result = await channel.send(message);
      deps.onDelivered?.(
        channel.name,
        'sent',
        group.flatMap(({ source: { notice } }) => (isNewLead(notice) ? [notice.lead.createdAt] : [])),
      );
      return { deliveries: group.map(sentDelivery), providerMessageId: result.providerMessageId };
    } catch (error) {
      const failure =
        error instanceof ChannelError
          ? error
          : new ChannelError('transient', `unexpected error: ${(error as Error).message}`, { cause: error });
      deps.logger.warn(
        { channel: channel.name, kind: failure.kind, providerCode: failure.providerCode, deliveries: group.length, err: failure },
        'delivery failed',
      );
      if (failure.disablesDestination && channel.canBeDisabled) await disableAndHold(channel, group, failure);
      else await rescheduleOrBury(channel, group, failure);
      return undefined;
    }
  };

  /** The receiver is gone (410): the endpoint is disabled and these deliveries are held with the ones to come. */
  const disableAndHold = async (channel: Channel, group: PendingDelivery[], failure: ChannelError): Promise<void> => {
    if (!isWebhookChannel(channel.name)) throw new Error(`${channel.name} says it can be disabled, but only webhook endpoints can`);
    const webhook = channel.name;
    const reason = failure.providerCode === '410' ? '410 Gone' : (failure.providerCode ?? 'a permanent refusal');
    const disabled = await retryWhileUnavailable(() =>
      disableWebhookEndpoint(deps.pool, {
        channel: webhook,
        endpoint: webhookEndpointOf(webhook),
        deliveries: group.map(({ attempt, source }) => ({
          logId: attempt.logId,
          eventId: attempt.eventId,
          eventType: source.eventType,
          conversationId: source.conversationId,
        })),
        errorMessage: failureText(failure),
        reason,
      }),
    );
    if (disabled)
      deps.logger.warn({ channel: webhook, providerCode: failure.providerCode }, 'webhook endpoint disabled; its deliveries are held');
    for (const _delivery of group) deps.onDelivered?.(webhook, 'held', []);
    deps.announce?.();
  };

  const rescheduleOrBury = async (channel: Channel, group: PendingDelivery[], failure: ChannelError): Promise<void> => {
    const plan = planFailedAttempts(
      group.map((delivery) => ({
        logId: delivery.attempt.logId,
        eventId: delivery.attempt.eventId,
        round: delivery.attempt.round,
        tries: delivery.tries,
      })),
      failure,
      deps.clock.now(),
    );
    const byLogId = new Map(group.map((delivery) => [delivery.attempt.logId, delivery]));
    for (const entry of plan) deps.onDelivered?.(channel.name, entry.nextAttemptAt === undefined ? 'dead' : 'retrying', []);
    const errorMessage = failureText(failure);
    await retryWhileUnavailable(() =>
      withTransaction(deps.pool, async (client) => {
        await recordFailedDeliveries(client, {
          channel: channel.name,
          kind: failure.kind,
          errorMessage,
          deliveries: plan.map(({ logId, nextAttemptAt }) => {
            const delivery = byLogId.get(logId)!;
            return { ...sentDelivery(delivery), nextAttemptAt };
          }),
        });
        const retries = plan.filter((entry) => entry.nextAttemptAt !== undefined);
        if (retries.length > 0) {
          await deps.boss.insert(
            deliveryQueueName(channel.name),
            retries.map(({ eventId, round, tries, nextAttemptAt }) => ({
              data: deliveryJobData(channel.name, { eventId, round, tries }),
              startAfter: nextAttemptAt!,
            })),
            { db: throughClient(client) },
          );
        }
        if (failure.kind === 'rate_limited')
          await pushBackSendSlots(client, channel.destination, failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS);
      }),
    );
    deps.announce?.();
  };

  const startWorker = async (channel: Channel) => {
    const queue = deliveryQueueName(channel.name);
    const id = await deps.boss.work<DeliveryJobData>(
      queue,
      {
        batchSize: batchSizeOf(channel),
        pollingIntervalSeconds: 0.5,
        notifyPollingIntervalSeconds: 1,
        burstWhenBatchFull: true,
        heartbeatRefreshSeconds: JOB_HEARTBEAT_REFRESH_SECONDS,
        // One batch at a time per process: what a crash can repeat stays bounded by the sends in flight.
        localConcurrency: 1,
      },
      async (jobs) => {
        await handleBatch(channel, jobs);
      },
    );
    workerIds.set(queue, id);
  };

  /**
   * An agent's channel (`agent:<id>:<kind>`): the kind's base channel sending to the agent's address, paced
   * and recorded as a destination of its own. Built per batch, so an edited address applies at once.
   */
  const agentChannel = (base: Channel, agentId: string, kind: AgentChannelKind, address: string): Channel => {
    const name = agentChannelName(agentId, kind);
    const toAgent = base.forAddress!(address);
    return {
      name,
      destination: name,
      maxNoticesPerMessage: toAgent.maxNoticesPerMessage,
      minIntervalMs: toAgent.minIntervalMs,
      ...(toAgent.maxConcurrentSends === undefined ? {} : { maxConcurrentSends: toAgent.maxConcurrentSends }),
      send: (message) => toAgent.send(message),
      check: () => toAgent.check(),
    };
  };

  /** One worker per kind of agent address: a batch is split by agent, each part sent like any channel's batch. */
  const startAgentWorker = async (kind: AgentChannelKind, base: Channel) => {
    const queue = agentDeliveryQueueName(kind);
    const id = await deps.boss.work<DeliveryJobData>(
      queue,
      {
        batchSize: batchSizeOf(base),
        pollingIntervalSeconds: 0.5,
        notifyPollingIntervalSeconds: 1,
        burstWhenBatchFull: true,
        heartbeatRefreshSeconds: JOB_HEARTBEAT_REFRESH_SECONDS,
        localConcurrency: 1,
      },
      async (jobs) => {
        const byAgent = new Map<string, { data: DeliveryJobData }[]>();
        for (const job of jobs) {
          const agentId = job.data.agentId;
          if (agentId === undefined) throw new Error(`a job in ${queue} names no agent`);
          byAgent.set(agentId, [...(byAgent.get(agentId) ?? []), job]);
        }
        const addresses = await loadAgentAddresses(deps.pool, [...byAgent.keys()], kind);
        for (const [agentId, agentJobs] of byAgent) {
          const address = addresses.get(agentId);
          if (address === undefined) {
            const name = agentChannelName(agentId, kind);
            const placeholder: Channel = { ...base, name, destination: name };
            await closeAsSkipped(
              placeholder,
              collectWantedDeliveries(agentJobs).map(({ eventId, round }) => ({ eventId, round })),
              `not sent: the agent is inactive or has no ${kind} address any more`,
            );
            continue;
          }
          await handleBatch(agentChannel(base, agentId, kind, address), agentJobs);
        }
      },
    );
    workerIds.set(queue, id);
  };

  const startAll = async () => {
    for (const channel of deps.channels) if (!workerIds.has(deliveryQueueName(channel.name))) await startWorker(channel);
    for (const [kind, base] of deps.agentChannels ?? [])
      if (base.forAddress && !workerIds.has(agentDeliveryQueueName(kind))) await startAgentWorker(kind, base);
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

/** What a failed attempt's row and alert say: the provider's code and the classified message, bounded. */
function failureText(failure: ChannelError): string {
  return `${failure.providerCode ? `${failure.providerCode}: ` : ''}${failure.message}`.slice(0, 500);
}

/** A lead alert or a forwarded lead.created: what the lead-to-delivered latency is measured on. */
function isNewLead(notice: Notice): notice is Extract<Notice, { lead: unknown }> {
  return notice.kind === 'lead.created' || (notice.kind === 'lead.event' && notice.eventType === 'lead.created');
}

/**
 * Summaries' worth of jobs one fetch of an unpaced, summarising channel takes: sent side by side, four
 * summaries drain a backlog four times faster than one per fetch (after a 30 s outage at 50 leads/s,
 * Telegram's 20-lead summaries one per fetch took 18 s longer than Slack's 50), and a kill can repeat at most
 * those four messages.
 */
const SUMMARIES_PER_UNPACED_FETCH = 4;

/**
 * Jobs one fetch takes for a channel. A paced channel sends one message per slot; an unpaced one that
 * summarises takes a burst to fold into a few summaries. An unpaced channel that never summarises (a webhook)
 * takes one round of concurrent sends: a batch's attempts all start together, so a larger batch would leave
 * the last ones `sending` for several receiver timeouts, past the delivery lease and the job's expiry.
 */
function batchSizeOf(channel: Channel): number {
  if (channel.minIntervalMs > 0) return Math.max(channel.maxNoticesPerMessage, 1);
  if (channel.maxNoticesPerMessage > 1) return Math.max(channel.maxNoticesPerMessage * SUMMARIES_PER_UNPACED_FETCH, 20);
  return channel.maxConcurrentSends ?? DEFAULT_CONCURRENT_SENDS;
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
