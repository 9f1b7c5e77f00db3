import type { Queryable } from '../db/create-pool.ts';
import type { AgentChannelKind } from '../shared/channel-names.ts';

/**
 * The current address of each active agent for one kind (email, Telegram chat, Slack webhook URL), read at
 * send time so an edit or a deactivation applies to alerts already queued. Agents missing from the map have
 * no such address any more, or are inactive.
 */
export async function loadAgentAddresses(db: Queryable, agentIds: readonly string[], kind: AgentChannelKind): Promise<Map<string, string>> {
  const column = { email: 'email', telegram: 'telegram_chat_id', slack: 'slack_webhook_url' }[kind];
  const { rows } = await db.query<{ id: string; address: string }>(
    /* sql */ `SELECT id, ${column} AS address FROM agents WHERE id = ANY($1::uuid[]) AND active AND ${column} IS NOT NULL`,
    [agentIds],
  );
  return new Map(rows.map((row) => [row.id, row.address]));
}
