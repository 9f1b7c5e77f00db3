import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './start-embedded-postgres.ts';

export interface DatabaseLocation {
  url: string;
  /** Set when this process started the embedded database and must stop it. */
  embedded: EmbeddedDatabase | undefined;
}

/**
 * `DATABASE_URL` when given. Otherwise the embedded PostgreSQL under `<home>/postgres`, kept across restarts:
 * started here, or, when another Leadline process (say `npm start` while you run `npm run replay`) already
 * runs it, reused through the URL it left in `<home>/database-url`.
 */
export async function openDatabase(options: { databaseUrl: string | undefined; homeDir: string; onLog?: (line: string) => void }): Promise<DatabaseLocation> {
  if (options.databaseUrl) return { url: options.databaseUrl, embedded: undefined };
  const home = path.resolve(options.homeDir);
  const urlFile = path.join(home, 'database-url');
  if (existsSync(path.join(home, 'postgres', 'postmaster.pid')) && existsSync(urlFile)) {
    const url = (await readFile(urlFile, 'utf8')).trim();
    if (await canConnect(url)) return { url, embedded: undefined };
  }
  const embedded = await startEmbeddedPostgres({ dataParent: home, onLog: options.onLog });
  await writeFile(urlFile, `${embedded.url}\n`, { mode: 0o600 });
  return {
    url: embedded.url,
    embedded: {
      url: embedded.url,
      async stop() {
        await rm(urlFile, { force: true });
        await embedded.stop();
      },
    },
  };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
