-- The SLA monitor is a frequent sweep (no timer jobs per lead): its at-risk pass looks up the unanswered,
-- not yet warned leads whose at-risk time has passed. This index holds exactly those candidates, ordered by
-- that time, so the pass reads only what is due however many leads are open. (The breach pass uses
-- conversations_sla_open_idx on the deadline.)
CREATE INDEX IF NOT EXISTS conversations_sla_warning_due_idx ON conversations (sla_warning_at)
  WHERE first_response_at IS NULL AND sla_breached = false AND sla_warned_at IS NULL;
