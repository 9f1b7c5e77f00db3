-- Supabase only: nobody but staff reads anything. Guarded like 002, so on plain Postgres (no `authenticated`
-- role) this migration does nothing.
--
-- Supabase serves every table in `public` through its Data API (and Realtime) to the anon key, which is
-- public (the admin panel serves it), and to any signed-in user; e-mail sign-up is on by default. Its default
-- grants give `anon`, `authenticated` and `service_role` ALL on every table the migrating role creates in
-- `public`. 002 left `schema_migrations` without RLS (anon could delete or TRUNCATE it, and the next start
-- would re-run 001 and fail) and let every signed-in user read the event stream. Leadline itself connects as
-- the tables' owner (`postgres`), which RLS does not restrict, so none of this changes what Leadline can do.
--
-- After this migration:
-- - every table in `public` has RLS on, and `anon` and `authenticated` hold no privilege on any of them (RLS
--   does not cover TRUNCATE; only the missing grant does), except SELECT on `lead_events` for `authenticated`:
--   Realtime checks that privilege before it applies the policy below, for each row it would deliver;
-- - a signed-in user is staff when its JWT carries `app_metadata.leadline_role = "staff"` (app_metadata is set
--   only with the service-role key; user_metadata is editable by the user and must never decide this), and
--   staff may read `lead_events` and nothing else; ordinary users read nothing;
-- - tables the migrating role creates later in `public` are no longer granted to `anon` and `authenticated`,
--   and src/db/migrate.ts turns RLS on for any table that still lacks it after each run;
-- - `service_role` keeps Supabase's grants and bypasses RLS, as Supabase intends.
DO $$
DECLARE
  owned regclass;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    IF to_regprocedure('auth.jwt()') IS NULL THEN
      RAISE EXCEPTION 'the role "authenticated" exists but auth.jwt() does not: this looks like Supabase without its auth schema; see docs/supabase.md';
    END IF;

    DROP POLICY IF EXISTS lead_events_staff_read ON lead_events;

    -- Only what this role can manage: a table an extension created in `public` under another owner (e.g.
    -- PostGIS's spatial_ref_sys, owned by supabase_admin) cannot be altered by us and is named in a warning.
    FOR owned IN
      SELECT c.oid::regclass FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND pg_has_role(c.relowner, 'USAGE')
    LOOP
      EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', owned);
      EXECUTE format('REVOKE ALL ON TABLE %s FROM anon, authenticated', owned);
    END LOOP;
    FOR owned IN
      SELECT c.oid::regclass FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' AND pg_has_role(c.relowner, 'USAGE')
    LOOP
      EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM anon, authenticated', owned);
    END LOOP;
    FOR owned IN
      SELECT c.oid::regclass FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT pg_has_role(c.relowner, 'USAGE')
    LOOP
      RAISE WARNING 'Leadline cannot enable row-level security on %, which another role owns; check its grants and policies', owned;
    END LOOP;

    -- For objects this role creates in `public` from now on. Supabase's own default privileges for
    -- supabase_admin cannot be changed from here (only by that role); the check in migrate.ts covers those.
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon, authenticated;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM anon, authenticated;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM anon, authenticated;

    -- The live panel: staff receive `lead_events` inserts through Realtime. Payloads hold ids, types and
    -- numbers (the rendered digest moved to `digests` in 004), so the stream names no lead.
    GRANT SELECT ON lead_events TO authenticated;
    CREATE POLICY lead_events_staff_read ON lead_events FOR SELECT TO authenticated
      USING ((SELECT auth.jwt() -> 'app_metadata' ->> 'leadline_role') = 'staff');
  END IF;

  -- 002 added it; kept (and restored if someone removed it) so Realtime keeps delivering the event stream.
  IF EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime')
     AND NOT EXISTS (SELECT 1 FROM pg_publication_tables
                      WHERE pubname = 'supabase_realtime' AND schemaname = 'public' AND tablename = 'lead_events') THEN
    ALTER PUBLICATION supabase_realtime ADD TABLE lead_events;
  END IF;
END
$$;
