-- Run by src/db/migrate.ts after every migration run (not a numbered migration: it has to run every time).
-- Supabase only, guarded like migrations/002 and 005, so on plain Postgres it does nothing.
--
-- Supabase serves every table in `public` to the public anon key and to every signed-in user, as far as
-- grants and RLS allow. A table that a later migration (or someone in the dashboard) creates without RLS
-- would be readable, writable and truncatable by anyone holding the anon key. So any table of `public` that
-- lacks RLS gets it here, with no policy (nobody but the owner and BYPASSRLS roles such as service_role reads
-- it), and loses every privilege `anon` and `authenticated` hold on it. Tables that already have RLS are left
-- alone: their grants and policies are deliberate (e.g. staff reading `lead_events`, migration 005). Running
-- it again changes nothing.
DO $$
DECLARE
  open_table regclass;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    FOR open_table IN
      SELECT c.oid::regclass FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity
       ORDER BY c.relname
    LOOP
      IF pg_has_role((SELECT relowner FROM pg_class WHERE oid = open_table), 'USAGE') THEN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', open_table);
        EXECUTE format('REVOKE ALL ON TABLE %s FROM anon, authenticated', open_table);
        RAISE NOTICE 'Leadline enabled row-level security on % and revoked anon/authenticated access', open_table;
      ELSE
        RAISE WARNING 'Leadline cannot enable row-level security on %, which another role owns; check its grants and policies', open_table;
      END IF;
    END LOOP;
  END IF;
END
$$;
