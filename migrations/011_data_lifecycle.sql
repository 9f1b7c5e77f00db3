-- Data lifecycle: erasure leaves an anonymous tombstone, consent is a record, retention prunes by index.
-- See docs/data-lifecycle.md.

-- An erased lead keeps its row as a tombstone (source, quality, score, status, times, SLA fields), so the
-- stats and SLA figures stay what they were; its name, contact details, texts and metadata are gone.
ALTER TABLE conversations ADD COLUMN erased_at timestamptz;

-- A tombstone has neither email nor phone. The old rule held for every existing row, which therefore also
-- satisfies this looser one: NOT VALID skips a scan of the whole table under this migration's lock.
ALTER TABLE conversations DROP CONSTRAINT conversations_has_contact;
ALTER TABLE conversations ADD CONSTRAINT conversations_has_contact
  CHECK (email IS NOT NULL OR phone IS NOT NULL OR erased_at IS NOT NULL) NOT VALID;

-- Consent was stored as the request gave it (true/false from a form, Meta's disclaimer list). It becomes one
-- record: whether it was given, the wording or its version, when, on which page, from which source.
UPDATE conversations
   SET consent = jsonb_build_object(
         'given', CASE jsonb_typeof(consent)
                    WHEN 'boolean' THEN consent = 'true'::jsonb
                    ELSE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(consent) AS box WHERE box->>'is_checked' IS DISTINCT FROM 'true')
                  END,
         'version', NULL, 'text', NULL, 'page', NULL,
         'given_at', to_jsonb(created_at),
         'source', source,
         'checkboxes', CASE WHEN jsonb_typeof(consent) = 'array' THEN
                         (SELECT coalesce(jsonb_agg(jsonb_build_object('key', box->>'checkbox_key', 'checked', box->>'is_checked' = 'true')), '[]'::jsonb)
                            FROM jsonb_array_elements(consent) AS box)
                       END)
 WHERE consent IS NOT NULL AND jsonb_typeof(consent) IN ('boolean', 'array');

-- An erasure asked for a lead the database does not hold (yet): it may be waiting in an API process's spool
-- while the database was away. The spool flusher erases it in the transaction that writes it, so the relay
-- never sees it with its personal data. Ids and times only; unmatched requests are pruned after 30 days.
CREATE TABLE pending_erasures (
  lead_id      uuid PRIMARY KEY,
  requested_at timestamptz NOT NULL DEFAULT now(),
  requested_by text NOT NULL
);

-- Retention deletes events in batches; the timeline keeps its rows and loses the event link (ON DELETE SET
-- NULL). Without this index every deleted event would scan the timeline to find its rows.
CREATE INDEX conversation_timeline_event_idx ON conversation_timeline (event_id) WHERE event_id IS NOT NULL;

-- Processed provider payloads are pruned by age of processing (the other statuses have raw_leads_status_idx).
CREATE INDEX raw_leads_processed_at_idx ON raw_leads (processed_at) WHERE status = 'processed';
