import type { Queryable } from '../db/create-pool.ts';
import { slaStateSql } from '../leads/sla-state-sql.ts';

export interface MetricSample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Every database-backed metric in ONE statement: one round trip and one snapshot per scrape. Only counts
 * and ages leave the database; no names, emails, phones or message text. Counting `conversations` scans the
 * table; at millions of leads, scrape every 30-60 s rather than every 5 s. Agents' channels count per kind
 * (`agent-email`), as the delivery counters do (metricChannelOf), so the team's size does not grow the series.
 */
const READ_METRIC_SAMPLES = /* sql */ `
SELECT 'leads' AS metric, jsonb_build_object('source', source, 'quality', quality) AS labels, count(*)::float8 AS value
FROM conversations GROUP BY source, quality
UNION ALL
SELECT 'outbox_unprocessed', '{}'::jsonb, count(*)::float8 FROM lead_events WHERE processed_at IS NULL
UNION ALL
SELECT 'outbox_oldest_age_seconds', '{}'::jsonb,
       coalesce(greatest(0, extract(epoch FROM ($1::timestamptz - min(created_at)))), 0)::float8
FROM lead_events WHERE processed_at IS NULL
UNION ALL
SELECT 'notification_logs', jsonb_build_object('channel', metric_channel, 'status', status), count(*)::float8
FROM (SELECT regexp_replace(channel, '^agent:[0-9a-f-]{36}:', 'agent-') AS metric_channel, status FROM notification_logs) n
GROUP BY metric_channel, status
UNION ALL
SELECT 'dead_letters', jsonb_build_object('kind', 'delivery'), count(*)::float8
FROM notification_logs WHERE status = 'dead' AND retried_at IS NULL
UNION ALL
SELECT 'dead_letters', jsonb_build_object('kind', 'ingestion'), count(*)::float8 FROM raw_leads WHERE status = 'failed'
UNION ALL
SELECT 'sla_breached', '{}'::jsonb, count(*)::float8 FROM conversations WHERE sla_breached
UNION ALL
SELECT 'sla_overdue_open', '{}'::jsonb, count(*)::float8
FROM conversations WHERE first_response_at IS NULL AND ${slaStateSql('conversations', '$1')} = 'breached'`;

export async function readMetricSamples(db: Queryable, now: Date): Promise<MetricSample[]> {
  const { rows } = await db.query<MetricSample>(READ_METRIC_SAMPLES, [now]);
  return rows;
}
