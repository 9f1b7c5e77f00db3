import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/start-embedded-postgres.ts';
import { sendDigest } from '../../src/digest/send-digest.ts';
import type { Leadline } from '../../src/main.ts';
import { breachOverdueLeads } from '../../src/sla/breach-overdue-leads.ts';
import { postJson, startTestLeadline } from '../helpers/start-test-leadline.ts';
import { prepareSupabaseLikeDatabase } from './prepare-supabase-like-database.ts';

/**
 * Leadline on a database prepared like a Supabase project: what the anon key, a signed-in stranger, staff and
 * the service role can do with every table in `public`. A cluster of its own, because roles are cluster-wide
 * and the shared test server must stay plain Postgres (where the Supabase migrations are no-ops).
 */

interface Who {
  role: 'anon' | 'authenticated' | 'service_role';
  /** The verified JWT's claims, as PostgREST and Realtime set them for the transaction. */
  claims: Record<string, unknown>;
}

const anon: Who = { role: 'anon', claims: { iss: 'supabase', role: 'anon' } };
/** A stranger who signed up, and tried to make themselves staff through user_metadata (which they can edit). */
const stranger: Who = {
  role: 'authenticated',
  claims: {
    sub: randomUUID(),
    role: 'authenticated',
    aud: 'authenticated',
    email: 'stranger@example.org',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: { leadline_role: 'staff' },
  },
};
const otherRole: Who = {
  role: 'authenticated',
  claims: { sub: randomUUID(), role: 'authenticated', aud: 'authenticated', app_metadata: { provider: 'email', leadline_role: 'viewer' } },
};
const staff: Who = {
  role: 'authenticated',
  claims: {
    sub: randomUUID(),
    role: 'authenticated',
    aud: 'authenticated',
    app_metadata: { provider: 'email', providers: ['email'], leadline_role: 'staff' },
  },
};
const serviceRole: Who = { role: 'service_role', claims: { iss: 'supabase', role: 'service_role' } };

/** One SQL statement's result as seen by a role: refused for lack of privilege, or how many rows. */
type Outcome = 'denied' | `rows ${number}` | `affected ${number}` | `error ${string}`;
const WRITES = ['insert', 'update', 'delete', 'truncate'] as const;

const leads = [
  {
    route: '/api/leads',
    body: {
      name: 'Ottilie Quartermaine',
      email: 'ottilie.q@example.net',
      phone: '+14155550188',
      message: 'Leak under the sink',
      urgency: 'emergency',
    },
  },
  {
    route: '/api/submit-contact',
    body: { name: 'Barnaby Featherstonehaugh', email: 'barnaby.f@example.net', message: 'Please call me back about pricing' },
  },
  {
    route: '/api/chatbot/leads',
    body: { name: 'Wilhelmina Ashdown', phone: '+442079460123', messages: [{ role: 'user', content: 'Need a quote for solar panels' }] },
  },
];

let dataParent: string;
let embedded: EmbeddedDatabase;
let pool: pg.Pool;
let app: Leadline & { url: string };
/** The stored forms of the leads' personal data, as capture normalized them. */
const personalData: string[] = [];

beforeAll(async () => {
  dataParent = await mkdtemp(path.join(os.tmpdir(), 'leadline-supabase-pg-'));
  await chmod(dataParent, 0o755);
  embedded = await startEmbeddedPostgres({ dataParent });
  pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
  pool.on('error', () => {});

  const setup = await pool.connect();
  try {
    await prepareSupabaseLikeDatabase(setup);
  } finally {
    setup.release();
  }
  // As the migrating role (`postgres`, the tables' owner), exactly as Leadline runs on Supabase.
  expect((await migrate(pool)).applied).toContain('005_supabase_staff_only.sql');

  app = await startTestLeadline(embedded.url, { ROLE: 'api', RATE_LIMIT_PER_MINUTE: '100000' });
  for (const lead of leads) {
    const response = await postJson(`${app.url}${lead.route}`, lead.body);
    expect(response.status).toBe(201);
  }
  const { rows } = await pool.query<{ name: string; email: string | null; phone: string | null }>(
    `SELECT name, email, phone FROM conversations`,
  );
  for (const row of rows) personalData.push(...[row.name, row.email, row.phone].filter((value): value is string => value !== null));
  expect(personalData).toHaveLength(7); // three names, two emails, two phones

  // Every lead breaches its SLA, so the digest of that day names them all (the rendered text holds personal data).
  const breachedAt = new Date(Date.now() + 2 * 86_400_000);
  await breachOverdueLeads(pool, breachedAt);
  const digest = await sendDigest({ db: pool, clock: { now: () => breachedAt }, timeZone: 'UTC' }, breachedAt.toISOString().slice(0, 10));
  expect(digest.sent).toBe(true);
});

afterAll(async () => {
  await app?.stop();
  await pool?.end();
  await embedded?.stop();
  if (dataParent) await rm(dataParent, { recursive: true, force: true });
});

/** Runs `sql` as `who` inside a transaction that is always rolled back, the way PostgREST and Realtime do. */
async function runAs(who: Who, sql: string): Promise<{ outcome: Outcome; rows: Record<string, unknown>[] }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('request.jwt.claims', $1, true)`, [JSON.stringify(who.claims)]);
    await client.query(`SET LOCAL ROLE ${who.role}`);
    const result = await client.query(sql);
    const outcome: Outcome =
      result.command === 'SELECT' ? `rows ${Number(result.rows[0]?.n ?? result.rowCount)}` : `affected ${result.rowCount ?? 0}`;
    return { outcome, rows: result.rows };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown';
    return { outcome: code === '42501' ? 'denied' : `error ${code}: ${(error as Error).message}`, rows: [] };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

/** Every table in `public`, from the catalog, with a column an UPDATE may name. */
async function publicTables(): Promise<{ table: string; ident: string; column: string }[]> {
  const { rows } = await pool.query<{ table: string; ident: string; column: string }>(/* sql */ `
    SELECT t.tablename AS table, format('%I', t.tablename) AS ident,
           (SELECT format('%I', a.attname) FROM pg_attribute a
             WHERE a.attrelid = format('public.%I', t.tablename)::regclass AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attidentity = '' AND a.attgenerated = ''
             ORDER BY a.attnum LIMIT 1) AS column
      FROM pg_tables t WHERE t.schemaname = 'public' ORDER BY t.tablename`);
  return rows;
}

const statementsFor = (t: { ident: string; column: string }) => ({
  select: `SELECT count(*)::int AS n FROM ${t.ident}`,
  insert: `INSERT INTO ${t.ident} DEFAULT VALUES`,
  update: `UPDATE ${t.ident} SET ${t.column} = ${t.column}`,
  delete: `DELETE FROM ${t.ident}`,
  truncate: `TRUNCATE ${t.ident}`,
});

/** What `who` gets from each statement on each table in `public`: `{ table: { select, insert, … } }`. */
async function matrixFor(
  who: Who,
  operations: readonly ('select' | (typeof WRITES)[number])[],
): Promise<Record<string, Record<string, Outcome>>> {
  const matrix: Record<string, Record<string, Outcome>> = {};
  for (const table of await publicTables()) {
    const statements = statementsFor(table);
    matrix[table.table] = {};
    for (const operation of operations) matrix[table.table]![operation] = (await runAs(who, statements[operation])).outcome;
  }
  return matrix;
}

async function ownerCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await publicTables()) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table.ident}`);
    counts[table.table] = rows[0]!.n;
  }
  return counts;
}

const everyTable = async (outcomes: (table: string) => Record<string, Outcome>) =>
  Object.fromEntries((await publicTables()).map(({ table }) => [table, outcomes(table)]));
const allDenied = { select: 'denied', insert: 'denied', update: 'denied', delete: 'denied', truncate: 'denied' } as const;
const writesDenied = { insert: 'denied', update: 'denied', delete: 'denied', truncate: 'denied' } as const;

describe('Leadline on a Supabase-like database', () => {
  it('when the migrations have run, then every table in public has row-level security on and lead_events stays in the Realtime publication', async () => {
    const { rows: tables } = await pool.query<{ tablename: string; rowsecurity: boolean }>(
      `SELECT tablename, rowsecurity FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    expect(tables.map((row) => row.tablename)).toEqual(
      expect.arrayContaining(['schema_migrations', 'digests', 'lead_events', 'conversations']),
    );
    expect(tables.filter((row) => !row.rowsecurity)).toEqual([]);

    const { rows: published } = await pool.query(
      `SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime'`,
    );
    expect(published).toEqual([{ schemaname: 'public', tablename: 'lead_events' }]);

    const { rows: policies } = await pool.query(
      `SELECT tablename, policyname, cmd, roles::text[] AS roles FROM pg_policies WHERE schemaname = 'public'`,
    );
    expect(policies).toEqual([{ tablename: 'lead_events', policyname: 'lead_events_staff_read', cmd: 'SELECT', roles: ['authenticated'] }]);
  });

  it('when the public anon key reads or writes any table, then it is refused everywhere', async () => {
    expect(await matrixFor(anon, ['select', ...WRITES])).toEqual(await everyTable(() => allDenied));
  });

  it('when a signed-in user is not staff (even claiming it in user_metadata, or with another app role), then it reads 0 events and is refused everything else', async () => {
    const expected = await everyTable((table) => (table === 'lead_events' ? { select: 'rows 0', ...writesDenied } : allDenied));
    expect(await matrixFor(stranger, ['select', ...WRITES])).toEqual(expected);
    expect(await matrixFor(otherRole, ['select', ...WRITES])).toEqual(expected);
  });

  it('when staff (app_metadata.leadline_role = "staff") read, then they see every event and nothing else, and can write nothing', async () => {
    const events = (await ownerCounts())['lead_events'] ?? 0;
    expect(events).toBeGreaterThan(0);
    const expected = await everyTable((table) => (table === 'lead_events' ? { select: `rows ${events}`, ...writesDenied } : allDenied));
    expect(await matrixFor(staff, ['select', ...WRITES])).toEqual(expected);
    // What the live panel takes from each Realtime insert.
    const { rows } = await runAs(staff, `SELECT id, event_type, conversation_id, created_at FROM lead_events ORDER BY id LIMIT 1`);
    expect(rows).toHaveLength(1);
  });

  it('when the service role reads, then it sees every row of every table (it bypasses RLS, as on Supabase)', async () => {
    const counts = await ownerCounts();
    for (const table of ['conversations', 'chat_messages', 'lead_events', 'digests', 'schema_migrations'])
      expect(counts[table]).toBeGreaterThan(0);
    const matrix = await matrixFor(serviceRole, ['select']);
    expect(matrix).toEqual(Object.fromEntries(Object.entries(counts).map(([table, n]) => [table, { select: `rows ${n}` }])));
  });

  it('when anon tries to delete or truncate schema_migrations for real, then it is refused and the next start has nothing to re-run', async () => {
    const before = await pool.query(`SELECT name FROM schema_migrations ORDER BY name`);
    for (const sql of [
      `DELETE FROM schema_migrations`,
      `TRUNCATE schema_migrations`,
      `UPDATE schema_migrations SET name = 'x'`,
      `DROP TABLE schema_migrations`,
    ]) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL ROLE anon`);
        await expect(client.query(sql)).rejects.toMatchObject({ code: '42501' });
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    }
    expect((await pool.query(`SELECT name FROM schema_migrations ORDER BY name`)).rows).toEqual(before.rows);
    expect(await migrate(pool)).toMatchObject({ applied: [] });
  });

  it("when leads were captured, breached and summed up in a digest, then no event payload holds a lead's name, email or phone", async () => {
    const { rows: digests } = await pool.query<{ text: string; html: string }>(`SELECT text, html FROM digests`);
    expect(digests).toHaveLength(1);
    // The digest does name them: it lives in `digests`, which only the owner and the service role read.
    for (const name of ['Ottilie Quartermaine', 'Barnaby Featherstonehaugh', 'Wilhelmina Ashdown'])
      expect(digests[0]!.text).toContain(name);

    const { rows: events } = await pool.query<{ event_type: string; payload: string }>(
      `SELECT event_type, payload::text AS payload FROM lead_events ORDER BY id`,
    );
    expect(new Set(events.map((event) => event.event_type))).toEqual(
      new Set(['lead.created', 'sla.breached', 'task.created', 'digest.sent']),
    );
    const leaks = events.flatMap((event) =>
      personalData
        .filter((value) => event.payload.toLowerCase().includes(value.toLowerCase()))
        .map((value) => `${event.event_type}: ${value}`),
    );
    expect(leaks).toEqual([]);
  });

  it('when a later migration creates a table without RLS and even grants it to anon, then migrate() turns RLS on and takes the grants back; again, nothing changes', async () => {
    const later = await mkdtemp(path.join(os.tmpdir(), 'leadline-later-migrations-'));
    try {
      await writeFile(
        path.join(later, '900_later_notes.sql'),
        `CREATE TABLE later_notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL);
         GRANT ALL ON later_notes TO anon, authenticated;
         INSERT INTO later_notes (body) VALUES ('meant for staff only');`,
      );
      // A table made by hand (say, in the dashboard) by the same role: its default privileges no longer include the API roles.
      await pool.query(`CREATE TABLE hand_made (id int PRIMARY KEY, note text)`);
      const { rows: grants } = await pool.query(
        `SELECT has_table_privilege('anon', 'hand_made', 'SELECT') AS anon, has_table_privilege('authenticated', 'hand_made', 'SELECT') AS authenticated`,
      );
      expect(grants).toEqual([{ anon: false, authenticated: false }]);

      expect(await migrate(pool, { dir: later })).toMatchObject({ applied: ['900_later_notes.sql'] });
      const rowSecurity = async () =>
        (await pool.query(`SELECT relname, relrowsecurity FROM pg_class WHERE relname IN ('later_notes', 'hand_made') ORDER BY relname`))
          .rows;
      expect(await rowSecurity()).toEqual([
        { relname: 'hand_made', relrowsecurity: true },
        { relname: 'later_notes', relrowsecurity: true },
      ]);
      for (const who of [anon, stranger, staff])
        expect((await runAs(who, `SELECT count(*)::int AS n FROM later_notes`)).outcome).toBe('denied');
      expect((await runAs(serviceRole, `SELECT count(*)::int AS n FROM later_notes`)).outcome).toBe('rows 1');

      expect(await migrate(pool, { dir: later })).toMatchObject({ applied: [] });
      expect(await rowSecurity()).toEqual([
        { relname: 'hand_made', relrowsecurity: true },
        { relname: 'later_notes', relrowsecurity: true },
      ]);
      expect(await matrixFor(anon, ['select', ...WRITES])).toEqual(await everyTable(() => allDenied));
    } finally {
      await rm(later, { recursive: true, force: true });
    }
  });
});
