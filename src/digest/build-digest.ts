import type { LeadQuality as Quality } from '../leads/lead-vocabulary.ts';
import { readSpeedToLead, type SpeedToLead } from '../leads/read-speed-to-lead.ts';
import { slaStateSql } from '../leads/sla-state-sql.ts';
import type { Queryable } from '../db/create-pool.ts';
import { digestDayBounds } from './digest-date.ts';

export interface DigestSourceRow {
  source: string;
  total: number;
  hot: number;
  warm: number;
  cold: number;
}

/** Yesterday's numbers. Leads are counted by the day they were captured; breaches by the day they happened. */
export interface Digest {
  date: string;
  timeZone: string;
  from: string;
  to: string;
  leads: { total: number; byQuality: Record<Quality, number>; bySource: DigestSourceRow[] };
  response: {
    /** Leads of the day answered so far, and the ones still waiting. */
    answered: number;
    unanswered: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
  };
  sla: {
    /** Answered by the deadline. */
    met: number;
    /** Breached, or answered after the deadline. */
    missed: number;
    /** Unanswered and not (yet) breached: left out of the percentage. */
    pending: number;
    /** met / (met + missed), one decimal; null when no lead of the day has an outcome yet. */
    compliancePercent: number | null;
  };
  breaches: { total: number; leads: { id: string; name: string | null; source: string; quality: Quality; deadline: string }[] };
  failedDeliveries: { total: number; byChannel: { channel: string; count: number }[] };
  /** Time to first response of the day's answered leads, per agent and per source. */
  speedToLead?: Pick<SpeedToLead, 'by_agent' | 'by_source'>;
}

/** At most this many breached leads are named in the digest; the total is always given. */
export const MAX_NAMED_BREACHES = 10;

/**
 * Builds the digest of `date` (a calendar day in `timeZone`) from the rows alone, so the same day always
 * gives the same digest whenever it is built. Percentiles are continuous (interpolated), as Postgres's
 * `percentile_cont`.
 */
export async function buildDigest(db: Queryable, date: string, timeZone: string): Promise<Digest> {
  const { from, to } = digestDayBounds(date, timeZone);
  const window = [from, to];

  const leads = await db.query<{ source: string; quality: Quality; total: number }>(
    /* sql */ `SELECT source, quality, count(*)::int AS total
                 FROM conversations WHERE created_at >= $1 AND created_at < $2
                GROUP BY source, quality`,
    window,
  );
  const bySourceMap = new Map<string, DigestSourceRow>();
  const byQuality: Record<Quality, number> = { hot: 0, warm: 0, cold: 0 };
  for (const row of leads.rows) {
    const entry = bySourceMap.get(row.source) ?? { source: row.source, total: 0, hot: 0, warm: 0, cold: 0 };
    entry.total += row.total;
    entry[row.quality] += row.total;
    byQuality[row.quality] += row.total;
    bySourceMap.set(row.source, entry);
  }
  const bySource = [...bySourceMap.values()].sort((a, b) => b.total - a.total || a.source.localeCompare(b.source));

  // SLA outcomes as they stood when the day ended ($2), by the same rule as the panel and the stats.
  const outcome = await db.query<{
    answered: number;
    unanswered: number;
    median: number | null;
    p90: number | null;
    met: number;
    missed: number;
    pending: number;
  }>(
    /* sql */ `SELECT count(*) FILTER (WHERE first_response_at IS NOT NULL)::int AS answered,
                      count(*) FILTER (WHERE first_response_at IS NULL)::int AS unanswered,
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at))
                        FILTER (WHERE first_response_at IS NOT NULL) AS median,
                      percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at))
                        FILTER (WHERE first_response_at IS NOT NULL) AS p90,
                      count(*) FILTER (WHERE sla_state = 'met')::int AS met,
                      count(*) FILTER (WHERE sla_state IN ('missed', 'breached'))::int AS missed,
                      count(*) FILTER (WHERE sla_state IN ('open', 'at_risk'))::int AS pending
                 FROM (SELECT *, ${slaStateSql('conversations', '$2')} AS sla_state FROM conversations
                        WHERE created_at >= $1 AND created_at < $2) day`,
    window,
  );
  const o = outcome.rows[0] ?? { answered: 0, unanswered: 0, median: null, p90: null, met: 0, missed: 0, pending: 0 };
  const decided = o.met + o.missed;

  const breached = await db.query<{
    id: string;
    name: string | null;
    source: string;
    quality: Quality;
    sla_response_deadline: Date;
    total: number;
  }>(
    /* sql */ `SELECT id, name, source, quality, sla_response_deadline, count(*) OVER ()::int AS total
                 FROM conversations WHERE sla_breached AND sla_breached_at >= $1 AND sla_breached_at < $2
                ORDER BY sla_response_deadline, id
                LIMIT $3`,
    [from, to, MAX_NAMED_BREACHES],
  );

  const failed = await db.query<{ channel: string; count: number }>(
    /* sql */ `SELECT channel, count(*)::int AS count
                 FROM notification_logs
                WHERE status = 'dead' AND coalesce(finished_at, created_at) >= $1 AND coalesce(finished_at, created_at) < $2
                GROUP BY channel ORDER BY count DESC, channel`,
    window,
  );

  const seconds = (value: number | null) => (value === null ? null : Math.round(Number(value)));
  const speed = await readSpeedToLead(db, { from, to });
  return {
    speedToLead: { by_agent: speed.by_agent, by_source: speed.by_source },
    date,
    timeZone,
    from: from.toISOString(),
    to: to.toISOString(),
    leads: { total: byQuality.hot + byQuality.warm + byQuality.cold, byQuality, bySource },
    response: { answered: o.answered, unanswered: o.unanswered, medianSeconds: seconds(o.median), p90Seconds: seconds(o.p90) },
    sla: {
      met: o.met,
      missed: o.missed,
      pending: o.pending,
      compliancePercent: decided === 0 ? null : Math.round((o.met / decided) * 1000) / 10,
    },
    breaches: {
      total: breached.rows[0]?.total ?? 0,
      leads: breached.rows.map((row) => ({
        id: row.id,
        name: row.name,
        source: row.source,
        quality: row.quality,
        deadline: row.sla_response_deadline.toISOString(),
      })),
    },
    failedDeliveries: { total: failed.rows.reduce((sum, row) => sum + row.count, 0), byChannel: failed.rows },
  };
}
