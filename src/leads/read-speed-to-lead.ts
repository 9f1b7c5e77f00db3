import type { Queryable } from '../db/create-pool.ts';

/** Time to first response of the leads answered in a window: how many, the median and the 90th percentile. */
export interface ResponseTimes {
  answered: number;
  median_seconds: number | null;
  p90_seconds: number | null;
}

export interface SpeedToLead {
  overall: ResponseTimes;
  /** Per agent credited with the response: the one a team link named, else the lead's assignee. */
  by_agent: (ResponseTimes & { agent_id: string; name: string })[];
  /** Answered leads no agent is credited with (answered from the admin API, never assigned). */
  unassigned: ResponseTimes;
  by_source: (ResponseTimes & { source: string })[];
}

/**
 * Speed to lead over the leads captured in [from, to) that have been answered: seconds from capture to
 * first response, as median and p90 (percentile_cont, so a small sample interpolates). One statement.
 */
const READ_SPEED_TO_LEAD = /* sql */ `
WITH answered AS (
  SELECT c.source, extract(epoch FROM c.first_response_at - c.created_at)::float8 AS seconds,
         coalesce((SELECT (r.payload ->> 'agent_id')::uuid FROM lead_events r
                    WHERE r.conversation_id = c.id AND r.event_type = 'lead.responded' AND r.payload ->> 'agent_id' IS NOT NULL
                    ORDER BY r.id LIMIT 1), c.assigned_to) AS agent_id
  FROM conversations c
  WHERE c.first_response_at IS NOT NULL AND c.created_at >= $1 AND c.created_at < $2
), figures AS (
  SELECT grouping(agent_id) AS by_agent_grouped, grouping(source) AS by_source_grouped, agent_id, source, count(*)::int AS answered,
         round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds))::int AS median_seconds,
         round(percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds))::int AS p90_seconds
  FROM answered
  GROUP BY GROUPING SETS ((), (agent_id), (source))
)
SELECT f.by_agent_grouped, f.by_source_grouped, f.agent_id, a.name, f.source, f.answered, f.median_seconds, f.p90_seconds
FROM figures f LEFT JOIN agents a ON a.id = f.agent_id
ORDER BY f.answered DESC, a.name, f.source`;

interface FigureRow extends ResponseTimes {
  by_agent_grouped: number;
  by_source_grouped: number;
  agent_id: string | null;
  name: string | null;
  source: string | null;
}

const times = (row: FigureRow | undefined): ResponseTimes => ({
  answered: row?.answered ?? 0,
  median_seconds: row?.median_seconds ?? null,
  p90_seconds: row?.p90_seconds ?? null,
});

export async function readSpeedToLead(db: Queryable, window: { from: Date; to: Date }): Promise<SpeedToLead> {
  const { rows } = await db.query<FigureRow>(READ_SPEED_TO_LEAD, [window.from, window.to]);
  // grouping() is 1 for a column left out of the set: (1, 1) is the total, (0, 1) per agent, (1, 0) per source.
  const overall = rows.find((row) => row.by_agent_grouped === 1 && row.by_source_grouped === 1);
  const agentRows = rows.filter((row) => row.by_agent_grouped === 0 && row.by_source_grouped === 1);
  return {
    overall: times(overall),
    by_agent: agentRows
      .filter((row) => row.agent_id !== null)
      .map((row) => ({ agent_id: row.agent_id!, name: row.name ?? 'unknown agent', ...times(row) })),
    unassigned: times(agentRows.find((row) => row.agent_id === null)),
    by_source: rows
      .filter((row) => row.by_agent_grouped === 1 && row.by_source_grouped === 0)
      .map((row) => ({ source: row.source!, ...times(row) })),
  };
}
