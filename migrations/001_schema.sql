-- Leadline schema. Forward-only: never edit a migration that has shipped; add the next number instead.

-- One row per lead.
CREATE TABLE conversations (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  source                text NOT NULL CHECK (source ~ '^[a-z0-9][a-z0-9_.:-]{0,63}$'),
  external_id           text,
  name                  text,
  email                 text CHECK (email = lower(email)),
  phone                 text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  subject               text,
  message               text,
  service_type          text,
  urgency               text CHECK (urgency IN ('emergency', 'high', 'medium', 'low')),
  property_id           text,
  property_title        text,
  custom_fields         jsonb NOT NULL DEFAULT '{}'::jsonb,
  quality               text NOT NULL CHECK (quality IN ('hot', 'warm', 'cold')),
  score                 integer NOT NULL DEFAULT 0,
  score_reasons         jsonb NOT NULL DEFAULT '[]'::jsonb,
  status                text NOT NULL DEFAULT 'new'
                          CHECK (status IN ('new', 'contacted', 'qualified', 'converted', 'lost', 'spam')),
  metadata              jsonb NOT NULL DEFAULT '{}'::jsonb,
  consent               jsonb,
  idempotency_key       text NOT NULL UNIQUE,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  first_response_at     timestamptz,
  sla_response_deadline timestamptz NOT NULL,
  sla_warning_at        timestamptz NOT NULL,
  sla_warned_at         timestamptz,
  sla_breached          boolean NOT NULL DEFAULT false,
  sla_breached_at       timestamptz,
  CONSTRAINT conversations_has_contact CHECK (email IS NOT NULL OR phone IS NOT NULL),
  CONSTRAINT conversations_warning_before_deadline CHECK (sla_warning_at <= sla_response_deadline)
);
CREATE INDEX conversations_created_at_idx ON conversations (created_at DESC, id DESC);
CREATE INDEX conversations_status_idx ON conversations (status, created_at DESC);
CREATE INDEX conversations_source_external_idx ON conversations (source, external_id) WHERE external_id IS NOT NULL;
-- The SLA sweep only looks at unanswered leads that have not breached yet.
CREATE INDEX conversations_sla_open_idx ON conversations (sla_response_deadline)
  WHERE first_response_at IS NULL AND sla_breached = false;

-- The messages of a lead: a chatbot transcript, or the one message of a form.
CREATE TABLE chat_messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  role            text NOT NULL CHECK (role IN ('user', 'bot', 'agent')),
  content         text NOT NULL,
  sent_at         timestamptz NOT NULL DEFAULT now(),
  position        integer NOT NULL DEFAULT 0
);
CREATE INDEX chat_messages_conversation_idx ON chat_messages (conversation_id, position);

-- The outbox and the event log. An unprocessed row is work for the relay; processed rows are history.
CREATE TABLE lead_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_type      text NOT NULL CHECK (event_type IN (
                    'lead.created', 'lead.responded', 'lead.status_changed', 'notification.sent',
                    'notification.failed', 'sla.warning', 'sla.breached', 'task.created', 'task.completed',
                    'digest.sent', 'ingestion.failed')),
  conversation_id uuid REFERENCES conversations (id) ON DELETE CASCADE,
  payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
  idempotency_key text UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  processed_at    timestamptz,
  retry_count     integer NOT NULL DEFAULT 0
);
-- The relay claims unprocessed rows in id order; rows that commit out of id order are still unprocessed,
-- so none is skipped (no high-water mark).
CREATE INDEX lead_events_unprocessed_idx ON lead_events (id) WHERE processed_at IS NULL;
CREATE INDEX lead_events_conversation_idx ON lead_events (conversation_id, id);
CREATE INDEX lead_events_created_at_idx ON lead_events (created_at);

-- Human-readable history per lead.
CREATE TABLE conversation_timeline (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  event_id        bigint REFERENCES lead_events (id) ON DELETE SET NULL,
  event_type      text NOT NULL,
  title           text NOT NULL,
  description     text,
  actor_type      text NOT NULL CHECK (actor_type IN ('system', 'agent', 'customer', 'bot')),
  actor_id        text,
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_timeline_conversation_idx ON conversation_timeline (conversation_id, created_at, id);

-- Every delivery attempt. At most one attempt per (event, channel) may be in flight or sent: the partial
-- unique index is what makes "delivered once" a database fact instead of a read-then-write hope.
CREATE TABLE notification_logs (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id            bigint NOT NULL REFERENCES lead_events (id) ON DELETE CASCADE,
  conversation_id     uuid REFERENCES conversations (id) ON DELETE CASCADE,
  channel             text NOT NULL CHECK (channel IN ('slack', 'email', 'telegram', 'log')),
  destination         text NOT NULL DEFAULT '',
  status              text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'skipped')),
  attempt             integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  -- 0 for the normal delivery; a forced replay (`npm run replay -- --force`) sends a pair again as round 1, 2, …
  round               integer NOT NULL DEFAULT 0 CHECK (round >= 0),
  error_kind          text CHECK (error_kind IN ('transient', 'permanent', 'rate_limited', 'interrupted')),
  error_message       text,
  provider_message_id text,
  -- Set when this attempt may have repeated a message the provider had already accepted (a process died
  -- between the provider's accept and our commit).
  possible_duplicate  boolean NOT NULL DEFAULT false,
  -- Set when this delivery was sent inside one summary message together with other deliveries.
  coalesced_count     integer,
  latency_ms          integer,
  created_at          timestamptz NOT NULL DEFAULT now(),
  started_at          timestamptz,
  -- Set just before the provider call: an interrupted attempt without it never reached the provider.
  dispatched_at       timestamptz,
  finished_at         timestamptz,
  next_attempt_at     timestamptz,
  retried_at          timestamptz
);
CREATE UNIQUE INDEX notification_logs_one_live_attempt_idx ON notification_logs (event_id, channel, round)
  WHERE status IN ('sending', 'sent');
CREATE INDEX notification_logs_event_idx ON notification_logs (event_id, channel, attempt);
CREATE INDEX notification_logs_conversation_idx ON notification_logs (conversation_id);
CREATE INDEX notification_logs_dead_idx ON notification_logs (created_at DESC) WHERE status = 'dead';

-- SLA follow-ups.
CREATE TABLE follow_up_tasks (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  kind            text NOT NULL DEFAULT 'sla_follow_up',
  title           text NOT NULL,
  follow_up_date  timestamptz NOT NULL,
  status          text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'completed', 'overdue', 'cancelled')),
  sla_deadline    timestamptz NOT NULL,
  sla_breached    boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz,
  completed_by    text
);
-- One SLA follow-up per lead, however many monitors run.
CREATE UNIQUE INDEX follow_up_tasks_one_sla_task_idx ON follow_up_tasks (conversation_id) WHERE kind = 'sla_follow_up';
CREATE INDEX follow_up_tasks_open_idx ON follow_up_tasks (follow_up_date) WHERE status IN ('scheduled', 'overdue');

-- Every provider payload exactly as received: the audit trail and the replay source.
CREATE TABLE raw_leads (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source        text NOT NULL,
  external_id   text,
  body          text NOT NULL,
  headers       jsonb NOT NULL DEFAULT '{}'::jsonb,
  status        text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'failed', 'paused')),
  error_message text,
  attempts      integer NOT NULL DEFAULT 0,
  received_at   timestamptz NOT NULL DEFAULT now(),
  processed_at  timestamptz
);
CREATE INDEX raw_leads_status_idx ON raw_leads (status, received_at) WHERE status <> 'processed';
CREATE INDEX raw_leads_external_idx ON raw_leads (source, external_id);

-- Polling checkpoints per source and scope (a Meta form id).
CREATE TABLE ingestion_state (
  source        text NOT NULL,
  scope         text NOT NULL,
  checkpoint_at timestamptz,
  status        text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'paused', 'error')),
  last_error    text,
  last_run_at   timestamptz,
  recovered     bigint NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, scope)
);

-- Admin actions.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor       text NOT NULL,
  action      text NOT NULL,
  target_type text,
  target_id   text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at DESC);

-- Switches shared by every process (e.g. deliveries paused).
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The next free send slot per destination, shared by every worker process, so pacing holds across
-- processes (we never cause a provider's 429 ourselves).
CREATE TABLE delivery_pacing (
  destination  text PRIMARY KEY,
  next_slot_at timestamptz NOT NULL
);

-- Every new event is announced: unprocessed ones wake the relay (NOTIFY is only a latency hint; the relay
-- also polls), and all of them feed the admin panel's live stream. Postgres folds identical notifications
-- within one transaction, so a batch insert wakes the relay once.
CREATE FUNCTION announce_lead_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.processed_at IS NULL THEN
    PERFORM pg_notify('leadline_outbox', '');
  END IF;
  PERFORM pg_notify('leadline_events', json_build_object(
    'id', NEW.id::text, 'event_type', NEW.event_type, 'conversation_id', NEW.conversation_id,
    'created_at', NEW.created_at)::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER lead_events_announce AFTER INSERT ON lead_events
  FOR EACH ROW EXECUTE FUNCTION announce_lead_event();
