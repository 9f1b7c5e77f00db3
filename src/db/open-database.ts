import { startEmbeddedPostgres, type EmbeddedDatabase } from './start-embedded-postgres.ts';
import path from 'node:path';

export interface DatabaseLocation {
  url: string;
  embedded: EmbeddedDatabase | undefined;
}

/** `DATABASE_URL` when given; otherwise the embedded PostgreSQL under `<home>/postgres`, kept across restarts. */
export async function openDatabase(options: { databaseUrl: string | undefined; homeDir: string; onLog?: (line: string) => void }): Promise<DatabaseLocation> {
  if (options.databaseUrl) return { url: options.databaseUrl, embedded: undefined };
  const embedded = await startEmbeddedPostgres({ dataParent: path.resolve(options.homeDir), onLog: options.onLog });
  return { url: embedded.url, embedded };
}
