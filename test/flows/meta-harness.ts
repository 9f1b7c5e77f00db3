/**
 * Shared set-up of the ingest flow tests (Meta Lead Ads and Standard Webhooks senders): a Leadline from
 * startTestLeadline (ROLE=api, serving the ingest routes, the reconcile admin route and `/health/meta` as
 * main.ts wires them), and ingest workers started the way a worker process would start them (each with its
 * own pool and pg-boss instance, so a test can run several).
 */
import type { CountryCode } from 'libphonenumber-js';
import type { Config } from '../../src/config/load-config.ts';
import { createPool } from '../../src/db/create-pool.ts';
import type { IngestDeps } from '../../src/ingest/ingest-deps.ts';
import { startMetaIngestion } from '../../src/ingest/start-meta-ingestion.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import type { Leadline } from '../../src/main.ts';
import { startJobQueue } from '../../src/queue/start-job-queue.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { startTestLeadline } from '../helpers/start-test-leadline.ts';

export const silentLogger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', destination: process.stderr });

export function ingestDepsFor(parts: { db: IngestDeps['db']; boss: IngestDeps['boss']; config: Config }): IngestDeps {
  const { config } = parts;
  return {
    db: parts.db,
    boss: parts.boss,
    clock: systemClock,
    logger: silentLogger,
    sla: { hotMs: config.sla.hotMs, warmMs: config.sla.warmMs, coldMs: config.sla.coldMs, warningMs: config.sla.warningMs },
    meta: config.meta,
    webhookSecrets: config.webhookSecrets,
    defaultPhoneRegion: config.defaultPhoneRegion as CountryCode | undefined,
  };
}

export interface IngestWorker {
  /** Stops the worker and its connections, as a process exit would. */
  shutdown(): Promise<void>;
}

/** An ingest worker as a separate worker process would run it: own pool, own pg-boss instance. */
export async function startTestIngestWorker(databaseUrl: string, config: Config): Promise<IngestWorker> {
  const boss = await startJobQueue({ connectionString: databaseUrl, logger: silentLogger, runsMaintenance: false, poolSize: 4 });
  const pool = createPool({ connectionString: databaseUrl, max: 4, applicationName: 'leadline-test-ingest' });
  const ingestion = await startMetaIngestion(ingestDepsFor({ db: pool, boss, config }));
  return {
    async shutdown() {
      await ingestion.stop();
      await boss.stop({ graceful: false, close: true });
      await pool.end();
    },
  };
}

export interface IngestTestApp {
  app: Leadline & { url: string };
  /** Base URL of the app: the ingest routes, the reconcile route and /health/meta. */
  url: string;
  deps: IngestDeps;
  stop(): Promise<void>;
}

/** Starts the API side as main.ts wires it, and (unless `workers: 0`) one or more ingest workers. */
export async function startIngestTestApp(
  databaseUrl: string,
  env: Record<string, string>,
  options: { workers?: number } = {},
): Promise<IngestTestApp> {
  const app = await startTestLeadline(databaseUrl, { ROLE: 'api', ...env });
  const deps = ingestDepsFor({ db: app.pool, boss: app.boss, config: app.config });
  const workers: IngestWorker[] = [];
  for (let i = 0; i < (options.workers ?? 1); i += 1) workers.push(await startTestIngestWorker(databaseUrl, app.config));
  return {
    app,
    url: app.url,
    deps,
    async stop() {
      for (const worker of workers) await worker.shutdown();
      await app.stop();
    },
  };
}
