import type { AgentRole } from '../leads/lead-vocabulary.ts';

/** An agent as the admin API shows it. The Slack webhook URL is a secret: it is stored, never shown back. */
export interface AgentView {
  id: string;
  name: string;
  email: string | null;
  telegram_chat_id: string | null;
  slack_webhook_url_set: boolean;
  role: AgentRole;
  sources: string[] | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

/** The columns an AgentView is read from (`a` is the agents alias). */
export const AGENT_VIEW_COLUMNS = /* sql */ `a.id, a.name, a.email, a.telegram_chat_id, a.slack_webhook_url IS NOT NULL AS slack_webhook_url_set,
  a.role, a.sources, a.active, a.created_at, a.updated_at`;
