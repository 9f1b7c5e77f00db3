-- The daily digest as it was rendered and sent, one row per digest date.
--
-- Invariant: a `digests` row exists if and only if its `digest.sent` event does. send-digest.ts writes both in
-- one statement, keyed on the date (this table's unique `digest_date`, and the event's idempotency key
-- `digest:<date>`), so however many workers or hand runs try, a day has one digest. The rendered subject,
-- text and HTML name breached leads (personal data): they live here only. The event carries nothing but
-- `digest_id`, the date and counts, because the event stream is what staff read live (Supabase Realtime) and
-- SPEC.md keeps personal data out of event payloads. `named_lead_ids` lists the leads the text names, so
-- erasing a lead can find the digests that mention it.
CREATE TABLE digests (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  digest_date    date NOT NULL UNIQUE,
  time_zone      text NOT NULL,
  subject        text NOT NULL,
  text           text NOT NULL,
  html           text NOT NULL,
  -- The digest's numbers (leads by quality and source, response times, SLA outcome, breach and failure
  -- totals); never names.
  counts         jsonb NOT NULL DEFAULT '{}'::jsonb,
  named_lead_ids uuid[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- Digests written before this migration kept the rendered digest in the event payload. Move each into a row
-- (the delivery worker now reads the text from there) and leave the event with ids, the date and counts.
WITH legacy AS (
  SELECT id, payload, created_at
    FROM lead_events
   WHERE event_type = 'digest.sent' AND payload ? 'subject' AND payload->>'date' ~ '^\d{4}-\d{2}-\d{2}$'
), moved AS (
  INSERT INTO digests (digest_date, time_zone, subject, text, html, counts, named_lead_ids, created_at)
  SELECT (payload->>'date')::date,
         coalesce(payload->>'time_zone', 'UTC'),
         coalesce(payload->>'subject', ''),
         coalesce(payload->>'text', ''),
         coalesce(payload->>'html', ''),
         (coalesce(payload->'stats', '{}'::jsonb) - 'date' - 'timeZone' - 'from' - 'to') #- '{breaches,leads}',
         ARRAY(SELECT lead->>'id' FROM jsonb_array_elements(payload #> '{stats,breaches,leads}') AS lead)::uuid[],
         created_at
    FROM legacy
  -- The event's idempotency key already makes the date unique; this only keeps the statement total.
  ON CONFLICT (digest_date) DO NOTHING
  RETURNING id, digest_date
)
UPDATE lead_events e
   SET payload = jsonb_build_object(
         'digest_id', moved.id::text,
         'date', legacy.payload->>'date',
         'leads', (legacy.payload #>> '{stats,leads,total}')::int,
         'breaches', (legacy.payload #>> '{stats,breaches,total}')::int,
         'failed_deliveries', (legacy.payload #>> '{stats,failedDeliveries,total}')::int)
  FROM legacy JOIN moved ON moved.digest_date = (legacy.payload->>'date')::date
 WHERE e.id = legacy.id;

-- Whatever could not be moved (no valid date) still must not carry the rendered text.
UPDATE lead_events
   SET payload = payload - 'subject' - 'text' - 'html' - 'stats'
 WHERE event_type = 'digest.sent' AND payload ?| ARRAY['subject', 'text', 'html', 'stats'];
