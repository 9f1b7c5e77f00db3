import { withTransaction, type Pool } from '../db/create-pool.ts';
import { assignLead, type AssignLeadResult } from '../leads/assign-lead.ts';
import { recordAdminAction } from '../leads/record-admin-action.ts';

/** `POST /l/<token>/claim`: the lead is assigned to the agent, with a lead.assigned event (via `link`) and an audit entry. */
export async function claimLeadThroughLink(pool: Pool, input: { leadId: string; agentId: string; now: Date }): Promise<AssignLeadResult> {
  return withTransaction(pool, async (client) => {
    const result = await assignLead(client, {
      leadId: input.leadId,
      agentId: input.agentId,
      via: 'link',
      now: input.now,
      actor: input.agentId,
    });
    await recordAdminAction(client, {
      actor: 'team-link',
      action: 'lead.assign',
      targetType: 'lead',
      targetId: input.leadId,
      details: { agent_id: input.agentId, previous_agent_id: result.previous, changed: result.changed, via: 'link' },
    });
    return result;
  });
}
