-- Events are one typed union (src/events/event-types.ts); this constraint is held against it by a test.
-- New facts: a lead assigned to an agent, an SLA breach escalated to the managers, a lead erased.
ALTER TABLE lead_events DROP CONSTRAINT lead_events_event_type_check;
ALTER TABLE lead_events ADD CONSTRAINT lead_events_event_type_check CHECK (event_type IN (
  'lead.created', 'lead.assigned', 'lead.responded', 'lead.status_changed', 'lead.erased',
  'notification.sent', 'notification.failed', 'sla.warning', 'sla.breached', 'sla.escalated',
  'task.created', 'task.completed', 'digest.sent', 'ingestion.failed'));

-- A timeline row is an event, or one of the few rows that are history without being an event.
ALTER TABLE conversation_timeline ADD CONSTRAINT conversation_timeline_event_type_check CHECK (event_type IN (
  'lead.created', 'lead.assigned', 'lead.responded', 'lead.status_changed', 'lead.erased',
  'notification.sent', 'notification.failed', 'sla.warning', 'sla.breached', 'sla.escalated',
  'task.created', 'task.completed', 'digest.sent', 'ingestion.failed',
  'notification.retrying'));

-- The text of an operator alert (what broke, what to do), one row per notification.failed or
-- ingestion.failed event. Event payloads hold ids and numbers only; the alert's words live here, and the
-- delivery reads them from here.
CREATE TABLE operator_alerts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id   bigint REFERENCES lead_events (id) ON DELETE CASCADE,
  title      text NOT NULL,
  detail     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_alerts_event_idx ON operator_alerts (event_id);

-- Payloads written before this migration carried free text: move alert texts out, drop the rest.
WITH moved AS (
  INSERT INTO operator_alerts (event_id, title, detail, created_at)
  SELECT id, coalesce(payload->>'title', 'Leadline alert'), coalesce(payload->>'detail', ''), created_at
    FROM lead_events
   WHERE event_type IN ('notification.failed', 'ingestion.failed') AND (payload ? 'title' OR payload ? 'detail')
  RETURNING id, event_id
)
UPDATE lead_events e
   SET payload = e.payload - 'title' - 'detail'
  FROM moved
 WHERE e.id = moved.event_id;
UPDATE lead_events SET payload = payload - 'responder' WHERE event_type = 'lead.responded' AND payload ? 'responder';
UPDATE lead_events SET payload = payload - 'completed_by' WHERE event_type = 'task.completed' AND payload ? 'completed_by';

-- Where a lead stands against its response deadline at `at`: answered leads are met or missed for good;
-- unanswered ones are open, then at_risk from their warning time, then breached (by the clock, or because
-- the monitor already flagged it). One definition for the admin list, detail, stats, banner, digest and
-- metrics, so no two of them can disagree.
CREATE FUNCTION lead_sla_state(first_response_at timestamptz, deadline timestamptz, warning_at timestamptz, breached boolean, at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN first_response_at IS NOT NULL THEN CASE WHEN first_response_at <= deadline THEN 'met' ELSE 'missed' END
    WHEN breached OR deadline <= at THEN 'breached'
    WHEN warning_at <= at THEN 'at_risk'
    ELSE 'open'
  END
$$;
