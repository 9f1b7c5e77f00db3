-- Supabase only: Realtime publication and row-level security. Guarded, so the same migration is a no-op on
-- plain Postgres (no `authenticated` role, no `supabase_realtime` publication).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    -- Nothing is readable through the public anon key; the admin panel reads through the API with the admin
    -- key, and Realtime only delivers rows the policies below allow.
    ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
    ALTER TABLE chat_messages ENABLE ROW LEVEL SECURITY;
    ALTER TABLE lead_events ENABLE ROW LEVEL SECURITY;
    ALTER TABLE conversation_timeline ENABLE ROW LEVEL SECURITY;
    ALTER TABLE notification_logs ENABLE ROW LEVEL SECURITY;
    ALTER TABLE follow_up_tasks ENABLE ROW LEVEL SECURITY;
    ALTER TABLE raw_leads ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ingestion_state ENABLE ROW LEVEL SECURITY;
    ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
    ALTER TABLE settings ENABLE ROW LEVEL SECURITY;
    ALTER TABLE delivery_pacing ENABLE ROW LEVEL SECURITY;
    -- Signed-in staff (Supabase Auth) may read the event stream for the live panel; it holds ids and types,
    -- the personal data stays behind the API.
    EXECUTE 'CREATE POLICY lead_events_staff_read ON lead_events FOR SELECT TO authenticated USING (true)';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime') THEN
    EXECUTE 'ALTER PUBLICATION supabase_realtime ADD TABLE lead_events';
  END IF;
END
$$;
