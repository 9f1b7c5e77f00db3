import type { PoolClient } from '../db/create-pool.ts';
import { appendEvents, newEvent } from '../events/append-events.ts';
import { AppError } from '../shared/app-error.ts';

export interface AssignLeadResult {
  assignedTo: string | null;
  previous: string | null;
  /** False when the lead was already assigned so: nothing was written. */
  changed: boolean;
}

/**
 * Assigns a lead to an agent (or to nobody, `null`) with a `lead.assigned` event and its timeline row. The
 * agent must exist; an inactive one or a manager may be chosen by hand (only round robin skips them). Call
 * inside a transaction; the lead's row is locked by the update.
 */
export async function assignLead(
  client: PoolClient,
  input: { leadId: string; agentId: string | null; via: 'link' | 'admin'; now: Date; actor?: string },
): Promise<AssignLeadResult> {
  if (input.agentId !== null) {
    const { rowCount } = await client.query(/* sql */ `SELECT 1 FROM agents WHERE id = $1`, [input.agentId]);
    if (rowCount === 0)
      throw new AppError('validation_failed', `no agent with id ${input.agentId}`, {
        errors: [{ path: input.via === 'link' ? 'agent_id' : 'assigned_to', message: 'is not an agent of this team' }],
      });
  }
  const { rows } = await client.query<{ previous: string | null }>(
    /* sql */ `
    SELECT assigned_to AS previous FROM conversations WHERE id = $1 AND erased_at IS NULL FOR UPDATE`,
    [input.leadId],
  );
  const row = rows[0];
  if (!row) throw new AppError('not_found', `no lead with id ${input.leadId}`);
  if (row.previous === input.agentId) return { assignedTo: input.agentId, previous: row.previous, changed: false };
  await client.query(/* sql */ `UPDATE conversations SET assigned_to = $2, updated_at = $3 WHERE id = $1`, [
    input.leadId,
    input.agentId,
    input.now,
  ]);
  await appendEvents(client, [
    newEvent(
      'lead.assigned',
      input.leadId,
      { agent_id: input.agentId, previous_agent_id: row.previous, via: input.via },
      { createdAt: input.now, describe: { actor: { type: 'agent', id: input.actor ?? input.via } } },
    ),
  ]);
  return { assignedTo: input.agentId, previous: row.previous, changed: true };
}
