import type { Queryable } from '../db/create-pool.ts';
import { readSpeedToLead, type SpeedToLead } from '../leads/read-speed-to-lead.ts';
import { slaStateSql } from '../leads/sla-state-sql.ts';

export interface AdminStats {
  leads: {
    total: number;
    today: number;
    by_status: Record<string, number>;
    by_quality: Record<string, number>;
    by_source: Record<string, number>;
  };
  sla: {
    window_days: number;
    /** Answered at or before the deadline, among leads captured in the window. */
    met: number;
    /** Answered late, or unanswered past the deadline, among leads captured in the window. */
    missed: number;
    /** met / (met + missed) as a percentage with one decimal; null while nothing has been decided. */
    compliance_percent: number | null;
    /** Unanswered leads (any age) whose warning time has passed but not their deadline: `sla_state` at_risk. */
    at_risk: number;
    /** Unanswered leads (any age) past their deadline: `sla_state` breached, as the table and the banner say. */
    overdue: number;
  };
  /** The latest attempt of each (event, channel) delivery, counted by channel and status. */
  deliveries: Record<string, Record<string, number>>;
  dead_letters: { deliveries: number; ingestion: number; total: number };
  outbox: { unprocessed: number };
  /** Time to first response over the SLA window, per agent and per source (median and p90, seconds). */
  speed_to_lead: SpeedToLead & { window_days: number };
}

/** Compliance is judged over recent leads: a bad month long ago should not hide a good week now. */
export const SLA_WINDOW_DAYS = 30;

/**
 * Every number on the panel's stats strip in ONE statement. A dead letter is a delivery whose latest
 * attempt is `dead` and has not been retried, or a provider payload that failed to ingest. SLA numbers
 * count leads by the same `sla_state` the lead list shows.
 */
const GET_ADMIN_STATS = /* sql */ `
WITH sla_states AS (
  SELECT created_at, ${slaStateSql('conversations', '$1')} AS sla_state FROM conversations
), lead_counts AS (
  SELECT status, quality, source, count(*)::int AS n,
         count(*) FILTER (WHERE created_at >= date_trunc('day', $1::timestamptz, $2::text))::int AS today
  FROM conversations
  GROUP BY status, quality, source
), sla_counts AS (
  SELECT
    count(*) FILTER (WHERE sla_state = 'met' AND created_at >= $1::timestamptz - make_interval(days => $3::int))::int AS met,
    count(*) FILTER (WHERE sla_state IN ('missed', 'breached') AND created_at >= $1::timestamptz - make_interval(days => $3::int))::int AS missed,
    count(*) FILTER (WHERE sla_state = 'at_risk')::int AS at_risk,
    count(*) FILTER (WHERE sla_state = 'breached')::int AS overdue
  FROM sla_states
), latest_delivery AS (
  SELECT DISTINCT ON (event_id, channel) channel, status
  FROM notification_logs
  ORDER BY event_id, channel, attempt DESC, id DESC
), delivery_counts AS (
  SELECT channel, jsonb_object_agg(status, n) AS statuses
  FROM (SELECT channel, status, count(*)::int AS n FROM latest_delivery GROUP BY channel, status) s
  GROUP BY channel
)
SELECT
  (SELECT coalesce(sum(n), 0)::int FROM lead_counts) AS total,
  (SELECT coalesce(sum(today), 0)::int FROM lead_counts) AS today,
  (SELECT coalesce(jsonb_object_agg(status, n), '{}'::jsonb) FROM (SELECT status, sum(n)::int AS n FROM lead_counts GROUP BY status) s) AS by_status,
  (SELECT coalesce(jsonb_object_agg(quality, n), '{}'::jsonb) FROM (SELECT quality, sum(n)::int AS n FROM lead_counts GROUP BY quality) q) AS by_quality,
  (SELECT coalesce(jsonb_object_agg(source, n), '{}'::jsonb) FROM (SELECT source, sum(n)::int AS n FROM lead_counts GROUP BY source) s) AS by_source,
  (SELECT met FROM sla_counts) AS sla_met,
  (SELECT missed FROM sla_counts) AS sla_missed,
  (SELECT at_risk FROM sla_counts) AS sla_at_risk,
  (SELECT overdue FROM sla_counts) AS sla_overdue,
  (SELECT coalesce(jsonb_object_agg(channel, statuses), '{}'::jsonb) FROM delivery_counts) AS deliveries,
  (SELECT count(*)::int FROM notification_logs WHERE status = 'dead' AND retried_at IS NULL) AS dead_deliveries,
  (SELECT count(*)::int FROM raw_leads WHERE status = 'failed') AS dead_ingestion,
  (SELECT count(*)::int FROM lead_events WHERE processed_at IS NULL) AS unprocessed`;

interface StatsRow {
  total: number;
  today: number;
  by_status: Record<string, number>;
  by_quality: Record<string, number>;
  by_source: Record<string, number>;
  sla_met: number;
  sla_missed: number;
  sla_at_risk: number;
  sla_overdue: number;
  deliveries: Record<string, Record<string, number>>;
  dead_deliveries: number;
  dead_ingestion: number;
  unprocessed: number;
}

/** `timeZone` decides where "today" starts (an IANA name such as `Europe/Berlin`). */
export async function getAdminStats(db: Queryable, now: Date, timeZone: string): Promise<AdminStats> {
  const [{ rows }, speedToLead] = await Promise.all([
    db.query<StatsRow>(GET_ADMIN_STATS, [now, timeZone, SLA_WINDOW_DAYS]),
    readSpeedToLead(db, { from: new Date(now.getTime() - SLA_WINDOW_DAYS * 86_400_000), to: now }),
  ]);
  const row = rows[0];
  if (!row) throw new Error('stats query returned no row');
  const decided = row.sla_met + row.sla_missed;
  return {
    leads: { total: row.total, today: row.today, by_status: row.by_status, by_quality: row.by_quality, by_source: row.by_source },
    sla: {
      window_days: SLA_WINDOW_DAYS,
      met: row.sla_met,
      missed: row.sla_missed,
      compliance_percent: decided === 0 ? null : Math.round((row.sla_met / decided) * 1000) / 10,
      at_risk: row.sla_at_risk,
      overdue: row.sla_overdue,
    },
    deliveries: row.deliveries,
    dead_letters: { deliveries: row.dead_deliveries, ingestion: row.dead_ingestion, total: row.dead_deliveries + row.dead_ingestion },
    outbox: { unprocessed: row.unprocessed },
    speed_to_lead: { window_days: SLA_WINDOW_DAYS, ...speedToLead },
  };
}
