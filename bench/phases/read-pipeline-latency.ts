/**
 * The pipeline's lead → alert latency from the database: for every lead created since a moment, the time
 * from its `created_at` to the `finished_at` of its first sent `lead.created` alert on `channel`. Both times
 * come from this machine's clock (capture stamps `created_at` in Node, the worker `finished_at` in Postgres).
 */
import type { BenchPostgres } from '../bench-postgres.ts';
import { percentile } from '../load.ts';
import type { PipelineLatency } from './measure-latency.ts';

export async function readPipelineLatency(
  postgres: BenchPostgres,
  databaseUrl: string,
  options: { sinceMs: number; channel: string },
): Promise<PipelineLatency> {
  const rows = await postgres.query<{ latency_ms: number | null }>(
    databaseUrl,
    /* sql */ `SELECT (extract(epoch FROM min(n.finished_at) - c.created_at) * 1000)::float8 AS latency_ms
               FROM conversations c
               JOIN lead_events e ON e.conversation_id = c.id AND e.event_type = 'lead.created'
               LEFT JOIN notification_logs n ON n.event_id = e.id AND n.channel = $2 AND n.status = 'sent'
               WHERE c.created_at >= $1
               GROUP BY c.id, c.created_at`,
    [new Date(options.sinceMs), options.channel],
  );
  const latencies = rows.map((row) => row.latency_ms).filter((value): value is number => value !== null);
  return {
    leads: rows.length,
    delivered: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
  };
}
