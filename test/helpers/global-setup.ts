import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrate.ts';
import { startEmbeddedPostgres } from '../../src/db/start-embedded-postgres.ts';
import { startJobQueue } from '../../src/queue/start-job-queue.ts';
import { createLogger } from '../../src/logging/create-logger.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A maintenance connection URL (database `postgres` or the external one) on the test server. */
    adminDatabaseUrl: string;
    /** A migrated database (our schema + pg-boss's) that each test file clones. */
    templateDatabase: string;
  }
}

/**
 * Starts PostgreSQL once for the whole run (embedded, unless TEST_DATABASE_URL names an external server) and
 * builds a migrated template database. Each test file then clones it in a few milliseconds.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl = process.env['TEST_DATABASE_URL'];
  let stopEmbedded: (() => Promise<void>) | undefined;
  let dataParent: string | undefined;
  if (!adminUrl) {
    dataParent = await mkdtemp(path.join(os.tmpdir(), 'leadline-test-pg-'));
    await chmod(dataParent, 0o755);
    const embedded = await startEmbeddedPostgres({ dataParent });
    adminUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
  }

  const templateDatabase = `leadline_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase}`);
  await admin.query(`CREATE DATABASE ${templateDatabase}`);

  const templateUrl = withDatabase(adminUrl, templateDatabase);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 2 });
  await migrate(pool);
  await pool.end();
  const boss = await startJobQueue({
    connectionString: templateUrl,
    logger: createLogger({ level: 'silent' }),
    runsMaintenance: false,
    poolSize: 2,
  });
  await boss.stop({ graceful: false, close: true });

  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`).catch(() => {});
    await admin.end();
    await stopEmbedded?.();
    if (dataParent) await rm(dataParent, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
