import type pg from 'pg';

/**
 * What a Supabase project's database holds before Leadline's first migration, as far as access goes. Taken
 * from Supabase's own setup, not guessed:
 * - supabase/postgres `migrations/db/init-scripts/00000000000000-initial-schema.sql`: the empty
 *   `supabase_realtime` publication; `anon` and `authenticated` NOLOGIN, `service_role` NOLOGIN BYPASSRLS;
 *   `authenticator` (the login PostgREST uses) member of all three; USAGE on `public` and default privileges
 *   `GRANT ALL` on tables, functions and sequences in `public` to postgres, anon, authenticated, service_role;
 *   statement timeouts for the API roles. Its own test (`migrations/tests/database/privs.sql`) checks that a
 *   table `postgres` creates gets every privilege for `anon` and `authenticated`.
 * - `20230529180330_alter_api_roles_for_inherit.sql` (the API roles INHERIT) and
 *   `20230201083204_grant_auth_roles_to_postgres.sql` (`postgres` is a member of them).
 * - supabase/auth `20220224000811_update_auth_functions` and `20220531120530_add_auth_jwt_function`:
 *   `auth.uid()`, `auth.role()`, `auth.email()` and `auth.jwt()` read the claims PostgREST and Realtime put
 *   in `request.jwt.claims`; USAGE on schema `auth` for the API roles.
 * - The Dashboard's "Data API" grants (`GRANT ALL ON ALL TABLES/SEQUENCES/FUNCTIONS IN SCHEMA public`), which
 *   projects created before the 2026 change to opt-in grants carry.
 * Roles are cluster-wide: run this only on a cluster of the test's own.
 */
export async function prepareSupabaseLikeDatabase(client: pg.PoolClient | pg.Client): Promise<void> {
  await client.query(/* sql */ `
    CREATE PUBLICATION supabase_realtime;

    CREATE ROLE anon NOLOGIN NOINHERIT;
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
    CREATE ROLE authenticator LOGIN NOINHERIT;
    GRANT anon, authenticated, service_role TO authenticator;
    ALTER ROLE anon INHERIT;
    ALTER ROLE authenticated INHERIT;
    ALTER ROLE service_role INHERIT;
    GRANT anon, authenticated, service_role TO postgres;
    ALTER ROLE anon SET statement_timeout = '3s';
    ALTER ROLE authenticated SET statement_timeout = '8s';

    CREATE SCHEMA auth;
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
      SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
    $$;
    CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
      SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
    $$;
    CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
      SELECT coalesce(nullif(current_setting('request.jwt.claim.email', true), ''),
                      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'))::text
    $$;
    CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
      SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                      nullif(current_setting('request.jwt.claims', true), ''))::jsonb
    $$;
    GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;

    GRANT USAGE ON SCHEMA public TO postgres, anon, authenticated, service_role;
    GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;
    GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO anon, authenticated, service_role;
    GRANT ALL ON ALL FUNCTIONS IN SCHEMA public TO anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;
  `);
}
