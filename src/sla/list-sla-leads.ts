import type { LeadQuality, LeadStatus, SlaState } from '../leads/lead-vocabulary.ts';
import type { Queryable } from '../db/create-pool.ts';
import { slaStateSql } from '../leads/sla-state-sql.ts';

export interface SlaLead {
  id: string;
  name: string | null;
  source: string;
  quality: LeadQuality;
  status: LeadStatus;
  /** `breached` once the deadline passed unanswered; `at_risk` from the at-risk time until then. */
  sla_state: Extract<SlaState, 'at_risk' | 'breached'>;
  created_at: string;
  sla_warning_at: string;
  sla_deadline: string;
  /** Negative once overdue: the banner shows "5 min left" or "12 min overdue". */
  seconds_left: number;
  task: { id: string; status: string } | null;
}

export interface SlaOverview {
  at_risk: number;
  breached: number;
  leads: SlaLead[];
}

/**
 * What the admin banner shows: unanswered leads that are at risk or breached at `now`, soonest deadline
 * first (the most overdue on top). Decided from the rows and the clock, not from whether a monitor has
 * already run, so the banner is right even while the monitors are down.
 */
export async function listSlaLeads(db: Queryable, now: Date, limit = 200): Promise<SlaOverview> {
  const { rows } = await db.query<{
    id: string;
    name: string | null;
    source: string;
    quality: LeadQuality;
    status: LeadStatus;
    breached: boolean;
    created_at: Date;
    sla_warning_at: Date;
    sla_response_deadline: Date;
    task_id: string | null;
    task_status: string | null;
    total: number;
    total_breached: number;
  }>(
    /* sql */ `SELECT c.id, c.name, c.source, c.quality, c.status, c.sla_state = 'breached' AS breached,
                      c.created_at, c.sla_warning_at, c.sla_response_deadline,
                      t.id::text AS task_id, t.status AS task_status,
                      count(*) OVER ()::int AS total,
                      count(*) FILTER (WHERE c.sla_state = 'breached') OVER ()::int AS total_breached
                 FROM (SELECT *, ${slaStateSql('conversations', '$1')} AS sla_state FROM conversations
                        WHERE first_response_at IS NULL AND (sla_breached OR sla_warning_at <= $1) AND erased_at IS NULL) c
                 LEFT JOIN follow_up_tasks t ON t.conversation_id = c.id AND t.kind = 'sla_follow_up'
                ORDER BY c.sla_response_deadline ASC, c.id
                LIMIT $2`,
    [now, limit],
  );
  const first = rows[0];
  const breached = first?.total_breached ?? 0;
  return {
    at_risk: (first?.total ?? 0) - breached,
    breached,
    leads: rows.map((row) => ({
      id: row.id,
      name: row.name,
      source: row.source,
      quality: row.quality,
      status: row.status,
      sla_state: row.breached ? 'breached' : 'at_risk',
      created_at: row.created_at.toISOString(),
      sla_warning_at: row.sla_warning_at.toISOString(),
      sla_deadline: row.sla_response_deadline.toISOString(),
      seconds_left: Math.round((row.sla_response_deadline.getTime() - now.getTime()) / 1000),
      task: row.task_id && row.task_status ? { id: row.task_id, status: row.task_status } : null,
    })),
  };
}
