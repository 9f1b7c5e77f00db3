import type { Queryable } from '../db/create-pool.ts';
import { AGENT_VIEW_COLUMNS, type AgentView } from './agent-row.ts';

/** The whole team, active first, then by name (a team is tens of people, so there is no paging). */
export async function listAgents(db: Queryable): Promise<AgentView[]> {
  const { rows } = await db.query<AgentView>(
    /* sql */ `SELECT ${AGENT_VIEW_COLUMNS} FROM agents a ORDER BY a.active DESC, a.role, lower(a.name), a.id`,
  );
  return rows;
}
