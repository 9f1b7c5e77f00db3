import type { ChannelName } from '../shared/channel-names.ts';
import type { Queryable } from '../db/create-pool.ts';
import { EVENT_TYPES, type EventType } from '../events/event-types.ts';
import { planDeliveries, type DeliveryRouting } from './plan-deliveries.ts';
import type { DeliveryJobData } from './delivery-job.ts';

export interface ReplayFilter {
  eventIds: string[];
  since: Date | undefined;
  until: Date | undefined;
  type: EventType | undefined;
  channel: ChannelName | undefined;
  /** Only pairs whose last attempt failed or died and that were never sent. */
  failedOnly: boolean;
  /** Also pairs already sent: they go out again as the next delivery round. */
  force: boolean;
}

export interface ReplayPlan {
  events: number;
  jobs: { channel: ChannelName; data: DeliveryJobData }[];
  skippedSent: number;
  skippedNotFailed: number;
}

interface PairRow {
  id: string;
  event_type: EventType;
  conversation_id: string | null;
  payload: Record<string, unknown>;
  sent_channels: ChannelName[];
  failed_channels: ChannelName[];
  max_rounds: Record<string, number>;
}

/**
 * Decides which (event, channel) deliveries a replay sends, from the same routing the relay uses. By
 * default it skips pairs already sent; `failedOnly` keeps only failed ones; `force` re-sends sent pairs as
 * a new round (the unique index allows one sent row per round).
 */
export async function planReplay(db: Queryable, filter: ReplayFilter, routing: DeliveryRouting): Promise<ReplayPlan> {
  if (filter.type && !EVENT_TYPES.includes(filter.type))
    throw new Error(`unknown event type ${filter.type}; use one of ${EVENT_TYPES.join(', ')}`);
  const { rows } = await db.query<PairRow>(
    /* sql */ `
      SELECT e.id::text, e.event_type, e.conversation_id, e.payload,
             coalesce(array_agg(DISTINCT n.channel) FILTER (WHERE n.status = 'sent'), '{}') AS sent_channels,
             coalesce(array_agg(DISTINCT n.channel) FILTER (WHERE n.status IN ('failed', 'dead')), '{}') AS failed_channels,
             coalesce(jsonb_object_agg(n.channel, n.round) FILTER (WHERE n.channel IS NOT NULL), '{}') AS max_rounds
      FROM lead_events e
      LEFT JOIN LATERAL (
        SELECT channel, status, max(round) OVER (PARTITION BY channel) AS round FROM notification_logs WHERE event_id = e.id
      ) n ON true
      WHERE (cardinality($1::bigint[]) = 0 OR e.id = ANY($1::bigint[]))
        AND ($2::timestamptz IS NULL OR e.created_at >= $2)
        AND ($3::timestamptz IS NULL OR e.created_at < $3)
        AND ($4::text IS NULL OR e.event_type = $4)
      GROUP BY e.id
      ORDER BY e.id`,
    [filter.eventIds, filter.since ?? null, filter.until ?? null, filter.type ?? null],
  );

  const plan: ReplayPlan = { events: rows.length, jobs: [], skippedSent: 0, skippedNotFailed: 0 };
  for (const row of rows) {
    const event = { id: row.id, eventType: row.event_type, conversationId: row.conversation_id, payload: row.payload };
    for (const channel of planDeliveries(event, routing)) {
      if (filter.channel && channel !== filter.channel) continue;
      const sent = row.sent_channels.includes(channel);
      if (filter.failedOnly && (sent || !row.failed_channels.includes(channel))) {
        plan.skippedNotFailed += 1;
        continue;
      }
      if (sent && !filter.force) {
        plan.skippedSent += 1;
        continue;
      }
      const round = sent ? (row.max_rounds[channel] ?? 0) + 1 : (row.max_rounds[channel] ?? 0);
      plan.jobs.push({ channel, data: { eventId: row.id, round, tries: 0 } });
    }
  }
  return plan;
}
