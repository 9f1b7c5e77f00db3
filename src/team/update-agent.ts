import { withTransaction, type Pool } from '../db/create-pool.ts';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import { AppError } from '../shared/app-error.ts';
import { AGENT_VIEW_COLUMNS, type AgentView } from './agent-row.ts';
import type { UpdateAgentInput } from './agent-schemas.ts';

/** The columns a PATCH may set, in the order their values are passed. */
const FIELDS = ['name', 'email', 'telegram_chat_id', 'slack_webhook_url', 'role', 'sources', 'active'] as const;

/**
 * Changes the named fields of one agent, audited with the names of the fields changed (not their values:
 * addresses are personal data of staff). Making an agent inactive takes it out of the rotation and stops its
 * alerts; its leads stay assigned to it.
 */
export async function updateAgent(pool: Pool, id: string, input: UpdateAgentInput, now: Date): Promise<AgentView> {
  return withTransaction(pool, async (client) => {
    const given = FIELDS.filter((field) => input[field] !== undefined);
    const values: unknown[] = [id, now, ...given.map((field) => input[field])];
    const sets = given.map((field, index) => `${field} = $${index + 3}`);
    let agent: AgentView | undefined;
    try {
      const { rows } = await client.query<AgentView>(
        /* sql */ `
        WITH a AS (
          UPDATE agents SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1 RETURNING *
        )
        SELECT ${AGENT_VIEW_COLUMNS} FROM a`,
        values,
      );
      agent = rows[0];
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new AppError('conflict', 'another agent has this email address', {
          errors: [{ path: 'email', message: 'is taken' }],
          cause: error,
        });
      throw error;
    }
    if (!agent) throw new AppError('not_found', `no agent with id ${id}`);
    await recordAdminAction(client, { action: 'agent.update', targetType: 'agent', targetId: id, details: { fields: given } });
    return agent;
  });
}
