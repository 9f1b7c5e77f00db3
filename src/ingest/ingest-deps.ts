import type { CountryCode } from 'libphonenumber-js';
import type { Logger } from 'pino';
import type { CaptureDeps } from '../capture/capture-lead.ts';
import type { Config } from '../config/load-config.ts';
import type { Pool } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';

/**
 * What the ingest side needs from the composition root. `db` is a pool (not any Queryable) because a Meta
 * delivery stores its raw payload and its ingest jobs in one transaction.
 */
export interface IngestDeps extends CaptureDeps {
  db: Pool;
  boss: JobQueue;
  logger: Logger;
  meta: Config['meta'];
  webhookSecrets: Config['webhookSecrets'];
  defaultPhoneRegion: CountryCode | undefined;
}

/** One job per Meta leadgen change: fetch the lead from the Graph API and capture it. */
export const META_INGEST_QUEUE = 'meta-ingest';

/** `ingestion_state.scope` of the row that holds a whole source's status (paused or ok). */
export const SOURCE_SCOPE = '*';

export const META_SOURCE = 'meta';
