import type { Queryable } from '../db/create-pool.ts';
import type { LeadQuality, LeadStatus } from '../leads/lead-vocabulary.ts';

/** What the team link page shows: what the alert showed (name, contact, source, quality, deadline) and where the lead stands. */
export interface TeamLinkLead {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  source: string;
  quality: LeadQuality;
  status: LeadStatus;
  created_at: Date;
  sla_deadline: Date;
  first_response_at: Date | null;
  assignee: { id: string; name: string } | null;
  /** The agents a link without an agent lets one claim for (active ones, by name). */
  agents: { id: string; name: string }[];
}

/** The lead a link names, or undefined when it is gone or erased. */
export async function loadTeamLinkLead(db: Queryable, leadId: string): Promise<TeamLinkLead | undefined> {
  const { rows } = await db.query<TeamLinkLead>(
    /* sql */ `
    SELECT c.id, c.name, c.email, c.phone, c.source, c.quality, c.status, c.created_at, c.sla_response_deadline AS sla_deadline,
           c.first_response_at,
           (SELECT jsonb_build_object('id', a.id, 'name', a.name) FROM agents a WHERE a.id = c.assigned_to) AS assignee,
           (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name) ORDER BY lower(a.name), a.id), '[]'::jsonb)
              FROM agents a WHERE a.active) AS agents
    FROM conversations c
    WHERE c.id = $1 AND c.erased_at IS NULL`,
    [leadId],
  );
  return rows[0];
}
