import { withTransaction, type Pool } from '../db/create-pool.ts';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import { AppError } from '../shared/app-error.ts';
import { uuidV7 } from '../shared/uuid-v7.ts';
import { AGENT_VIEW_COLUMNS, type AgentView } from './agent-row.ts';
import type { CreateAgentInput } from './agent-schemas.ts';

/** Adds a team member, audited (the audit entry names the id and role, never the addresses). */
export async function createAgent(pool: Pool, input: CreateAgentInput, now: Date): Promise<AgentView> {
  return withTransaction(pool, async (client) => {
    const id = uuidV7(now.getTime());
    const { rows } = await client.query<AgentView>(
      /* sql */ `
      WITH a AS (
        INSERT INTO agents (id, name, email, telegram_chat_id, slack_webhook_url, role, sources, active, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
        ON CONFLICT DO NOTHING
        RETURNING *
      )
      SELECT ${AGENT_VIEW_COLUMNS} FROM a`,
      [
        id,
        input.name,
        input.email ?? null,
        input.telegram_chat_id ?? null,
        input.slack_webhook_url ?? null,
        input.role,
        input.sources ?? null,
        input.active,
        now,
      ],
    );
    const agent = rows[0];
    if (!agent)
      throw new AppError('conflict', 'another agent has this email address', { errors: [{ path: 'email', message: 'is taken' }] });
    await recordAdminAction(client, {
      action: 'agent.create',
      targetType: 'agent',
      targetId: agent.id,
      details: { role: agent.role, active: agent.active, sources: agent.sources?.length ?? null },
    });
    return agent;
  });
}
