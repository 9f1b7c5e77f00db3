import { withTransaction, type Pool } from '../db/create-pool.ts';
import { lockLead, markLeadResponded } from '../leads/mark-lead-responded.ts';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import { AppError } from '../shared/app-error.ts';

/**
 * `POST /l/<token>/respond`: the first response, through the same markLeadResponded as the admin API, so the
 * SLA clock stops, open follow-ups complete and `lead.responded` (via `link`, naming the agent) is recorded
 * once. A repeat changes nothing.
 */
export async function respondThroughLink(
  pool: Pool,
  input: { leadId: string; agentId: string | null; now: Date },
): Promise<{ responded: boolean; firstResponseAt: Date | null }> {
  return withTransaction(pool, async (client) => {
    const lead = await lockLead(client, input.leadId);
    if (input.agentId !== null) {
      const { rowCount } = await client.query(/* sql */ `SELECT 1 FROM agents WHERE id = $1`, [input.agentId]);
      if (rowCount === 0)
        throw new AppError('validation_failed', `no agent with id ${input.agentId}`, {
          errors: [{ path: 'agent_id', message: 'is not an agent of this team' }],
        });
    }
    const marked = await markLeadResponded(client, {
      id: lead.id,
      now: input.now,
      responder: input.agentId ?? 'team-link',
      via: 'link',
      promoteNewToContacted: true,
      agentId: input.agentId,
    });
    await recordAdminAction(client, {
      actor: 'team-link',
      action: 'lead.respond',
      targetType: 'lead',
      targetId: lead.id,
      details: { responded: marked.responded, agent_id: input.agentId, via: 'link' },
    });
    return { responded: marked.responded, firstResponseAt: marked.firstResponseAt ?? lead.firstResponseAt };
  });
}
