-- Signed outbound webhooks: every configured endpoint is a delivery channel of its own, `webhook:<name>`
-- (OUTBOUND_WEBHOOKS), recorded in notification_logs like Slack or email.
ALTER TABLE notification_logs DROP CONSTRAINT notification_logs_channel_check;
ALTER TABLE notification_logs ADD CONSTRAINT notification_logs_channel_check CHECK (
  channel IN ('slack', 'email', 'telegram', 'log') OR channel ~ '^webhook:[a-z0-9][a-z0-9_-]{0,31}$');

-- The state of each endpoint that ever needed one. A receiver that answers 410 Gone asks never to be sent to
-- again: the endpoint is disabled (disabled_at set) and its deliveries are held (closed as skipped, or failed
-- for the one that got the 410) until an operator enables it again, which sends the held ones. Endpoints with
-- no row are enabled. Keyed by channel name, so a renamed endpoint starts enabled.
CREATE TABLE webhook_endpoints (
  channel            text PRIMARY KEY CHECK (channel ~ '^webhook:[a-z0-9][a-z0-9_-]{0,31}$'),
  disabled_at        timestamptz,
  -- Why, in words for the panel, e.g. "410 Gone"; never the URL.
  disabled_reason    text,
  -- The attempt that got the answer (no foreign key: delivery logs are pruned on their own schedule).
  disabled_by_log_id bigint,
  enabled_at         timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;

-- The endpoint list reads each endpoint's recent deliveries, and enabling one finds the deliveries held
-- while it was disabled; only webhook rows are indexed.
CREATE INDEX notification_logs_webhook_idx ON notification_logs (channel, created_at) WHERE channel LIKE 'webhook:%';
