import { withTransaction, type Pool } from '../db/create-pool.ts';
import { assignLead, type AssignLeadResult } from './assign-lead.ts';
import { recordAdminAction } from './record-admin-action.ts';

/** `PATCH /api/admin/leads/:id {assigned_to}`: assigns the lead by hand (an agent id, or null), audited. */
export async function changeLeadAssignee(
  pool: Pool,
  input: { id: string; agentId: string | null; now: Date; actor?: string | undefined },
): Promise<AssignLeadResult> {
  return withTransaction(pool, async (client) => {
    const result = await assignLead(client, {
      leadId: input.id,
      agentId: input.agentId,
      via: 'admin',
      now: input.now,
      actor: input.actor ?? 'admin',
    });
    await recordAdminAction(client, {
      actor: input.actor,
      action: 'lead.assign',
      targetType: 'lead',
      targetId: input.id,
      details: { agent_id: input.agentId, previous_agent_id: result.previous, changed: result.changed },
    });
    return result;
  });
}
