import type { DeliveryJobData } from './delivery-job.ts';
import type { DeliveryNotice } from './load-delivery-notices.ts';

/** One (event, round) delivery to one channel: the unit "delivered once" is about. */
export interface DeliveryKey {
  eventId: string;
  round: number;
}

export interface WantedDelivery extends DeliveryKey {
  /** Attempts already spent on transient errors. */
  tries: number;
  /** The job's priority (deliveryPriority), carried into a requeue. */
  priority?: number;
}

export interface PlannedDelivery {
  key: DeliveryKey;
  /** The notice to send, and the event (type, lead) it comes from. */
  source: DeliveryNotice;
  tries: number;
}

/** Backlog (in send time at the destination's pace) past which waiting alerts are summarised. */
export const COALESCE_WHEN_BEHIND_MS = 3_000;

/** Alerts waiting for one destination past which they go out as summaries even without pacing. */
export const COALESCE_WHEN_WAITING = 25;

export const deliveryKeyOf = (key: DeliveryKey): string => `${key.eventId}:${key.round}`;

/** One entry per (event, round) of a fetched batch, keeping the most tries spent if it was queued twice. */
export function collectWantedDeliveries(jobs: readonly { data: DeliveryJobData }[]): WantedDelivery[] {
  const wanted = new Map<string, WantedDelivery>();
  for (const { data } of jobs) {
    const round = data.round ?? 0;
    const key = deliveryKeyOf({ eventId: data.eventId, round });
    wanted.set(key, {
      eventId: data.eventId,
      round,
      tries: Math.max(wanted.get(key)?.tries ?? 0, data.tries),
      ...(data.priority === undefined ? {} : { priority: data.priority }),
    });
  }
  return [...wanted.values()];
}

/**
 * Splits a batch into messages. One notice per message while the destination keeps up; when sending them
 * one by one would fall behind (at the destination's pace that would take more than a few seconds, or so
 * many alerts wait that separate messages would bury the channel), summaries of up to
 * `maxNoticesPerMessage` notices, each naming every lead. Order is kept: the most urgent first, as fetched.
 */
export function planDeliveryGroups(
  planned: readonly PlannedDelivery[],
  destination: { minIntervalMs: number; maxNoticesPerMessage: number },
): PlannedDelivery[][] {
  // The digest is a document of its own (and goes to other recipients): never folded into a summary line.
  const digests = planned.filter((entry) => entry.source.notice.kind === 'digest');
  // Hot first within the batch as well (a stable sort: otherwise in the order fetched).
  const alerts = planned.filter((entry) => entry.source.notice.kind !== 'digest').sort((a, b) => urgencyRank(a) - urgencyRank(b));
  const behind = alerts.length * destination.minIntervalMs > COALESCE_WHEN_BEHIND_MS || alerts.length >= COALESCE_WHEN_WAITING;
  return [...chunk(alerts, behind ? destination.maxNoticesPerMessage : 1), ...digests.map((digest) => [digest])];
}

const QUALITY_RANK: Record<string, number> = { hot: 0, warm: 1, cold: 2 };

function urgencyRank(entry: PlannedDelivery): number {
  const { notice } = entry.source;
  return 'lead' in notice ? (QUALITY_RANK[notice.lead.quality] ?? 3) : 3;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const step = Math.max(1, size);
  const groups: T[][] = [];
  for (let index = 0; index < items.length; index += step) groups.push(items.slice(index, index + step));
  return groups;
}
