/**
 * The Postgres server the bench runs against: an embedded one in a fresh temporary directory, or the server
 * named by BENCH_DATABASE_URL. Either way each run creates fresh databases and drops them at the end.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/start-embedded-postgres.ts';

export interface BenchPostgres {
  /** `embedded PostgreSQL 18.4` or `external PostgreSQL 15.20`. */
  description: string;
  version: string;
  synchronousCommit: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(label: string): Promise<string>;
  query<T extends pg.QueryResultRow>(databaseUrl: string, text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function openBenchPostgres(externalUrl: string | undefined): Promise<BenchPostgres> {
  let adminUrl = externalUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dataParent: string | undefined;
  if (!adminUrl) {
    dataParent = await mkdtemp(path.join(os.tmpdir(), 'leadline-bench-pg-'));
    // The postgres user must traverse the directory that holds its data dir (mkdtemp makes it 0700).
    await chmod(dataParent, 0o755);
    const embedded = await startEmbeddedPostgres({ dataParent });
    adminUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version.split(' ')[0]!;
  const synchronousCommit = (await admin.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit;
  const run = randomBytes(3).toString('hex');
  const created: string[] = [];
  const pools = new Map<string, pg.Pool>();

  return {
    description: `${stopEmbedded ? 'embedded' : 'external'} PostgreSQL ${version}`,
    version,
    synchronousCommit,
    async createDatabase(label) {
      const name = `bench_${run}_${label}`;
      await admin.query(`CREATE DATABASE ${name}`);
      created.push(name);
      return withDatabase(adminUrl, name);
    },
    async query(databaseUrl, text, values) {
      let pool = pools.get(databaseUrl);
      if (!pool) {
        pool = new pg.Pool({ connectionString: databaseUrl, max: 2, application_name: 'leadline-bench' });
        pool.on('error', () => {});
        pools.set(databaseUrl, pool);
      }
      return (await pool.query(text, values)).rows;
    },
    async close() {
      for (const pool of pools.values()) await pool.end().catch(() => {});
      for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end().catch(() => {});
      await stopEmbedded?.();
      if (dataParent) await rm(dataParent, { recursive: true, force: true });
    },
  };
}
