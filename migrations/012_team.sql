-- The team (issue 15): agents and managers, who a lead is assigned to, the round-robin cursor, and the keys
-- that sign the one-tap links in alerts.

-- Staff, not leads: names and work addresses of the people who answer leads. An agent is never deleted
-- (leads and events name it); it is made inactive.
CREATE TABLE agents (
  id                uuid PRIMARY KEY,
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  email             text,
  telegram_chat_id  text,
  slack_webhook_url text,
  role              text NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'manager')),
  -- NULL: every source. Otherwise the lead sources (conversations.source) this agent takes.
  sources           text[],
  active            boolean NOT NULL DEFAULT true,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agents_email_idx ON agents (lower(email)) WHERE email IS NOT NULL;
ALTER TABLE agents ENABLE ROW LEVEL SECURITY;

ALTER TABLE conversations ADD COLUMN assigned_to uuid REFERENCES agents (id);
CREATE INDEX conversations_assigned_to_idx ON conversations (assigned_to, created_at DESC) WHERE assigned_to IS NOT NULL;

-- Round robin as a database fact: one row, its counter moved by `UPDATE … RETURNING` inside the capture
-- transaction. The row lock serialises concurrent captures across every process, so the n-th lead (in commit
-- order) takes the (n mod eligible)-th eligible agent in id order.
CREATE TABLE assignment_cursor (
  id      boolean PRIMARY KEY DEFAULT true CHECK (id),
  counter bigint NOT NULL DEFAULT 0
);
INSERT INTO assignment_cursor (id, counter) VALUES (true, 0);
ALTER TABLE assignment_cursor ENABLE ROW LEVEL SECURITY;

-- HMAC keys of the team links (/l/<token>). The newest signs; every key younger than a token's lifetime plus
-- a rotation margin verifies. Created on first use; rotating adds a row.
CREATE TABLE team_link_keys (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  secret     bytea NOT NULL CHECK (length(secret) >= 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE team_link_keys ENABLE ROW LEVEL SECURITY;

-- Every active agent's own addresses are delivery channels: `agent:<id>:email|telegram|slack`.
ALTER TABLE notification_logs DROP CONSTRAINT notification_logs_channel_check;
ALTER TABLE notification_logs ADD CONSTRAINT notification_logs_channel_check CHECK (
  channel IN ('slack', 'email', 'telegram', 'log')
  OR channel ~ '^webhook:[a-z0-9][a-z0-9_-]{0,31}$'
  OR channel ~ '^agent:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:(email|telegram|slack)$');

-- Supabase: like every other table, staff-only (005 revoked the default grants for tables created later).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    REVOKE ALL ON TABLE agents, assignment_cursor, team_link_keys FROM anon, authenticated;
  END IF;
END
$$;

-- The panel's "what to answer next" order (GET /api/admin/leads?sort=urgency).
CREATE INDEX conversations_unanswered_deadline_idx ON conversations (sla_response_deadline, id)
  WHERE first_response_at IS NULL AND erased_at IS NULL;
