import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './start-embedded-postgres.ts';

export interface DatabaseLocation {
  url: string;
  /** Set when this process started the embedded database and must stop it. */
  embedded: EmbeddedDatabase | undefined;
  /**
   * Set when this process uses the embedded database another Leadline process in the same home started:
   * watch it with watchEmbeddedOwner, so this process takes the database over when that owner stops.
   */
  sharedHome: string | undefined;
}

/** The password of a data directory created before passwords were random (it is rotated on first start). */
const LEGACY_PASSWORD = 'leadline';

/**
 * `DATABASE_URL` when given. Otherwise the embedded PostgreSQL under `<home>/postgres`, kept across restarts:
 * started here, or, when another Leadline process (say `npm start` while you run `npm run replay`) already
 * runs it, reused through the URL it left in `<home>/database-url`. The superuser password is random per
 * data directory and kept in `<home>/postgres-password` (mode 0600).
 */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  homeDir: string;
  onLog?: (line: string) => void;
}): Promise<DatabaseLocation> {
  if (options.databaseUrl) return { url: options.databaseUrl, embedded: undefined, sharedHome: undefined };
  const home = path.resolve(options.homeDir);
  const running = await runningEmbeddedUrl(home);
  if (running) return { url: running, embedded: undefined, sharedHome: home };
  const embedded = await startOwnEmbedded(home, undefined, options.onLog);
  return { url: embedded.url, embedded, sharedHome: undefined };
}

/** The URL of the embedded database another process runs in `home`, when it answers. */
async function runningEmbeddedUrl(home: string): Promise<string | undefined> {
  const urlFile = path.join(home, 'database-url');
  if (!existsSync(path.join(home, 'postgres', 'postmaster.pid')) || !existsSync(urlFile)) return undefined;
  const url = (await readFile(urlFile, 'utf8')).trim();
  return (await canConnect(url)) ? url : undefined;
}

async function startOwnEmbedded(home: string, port: number | undefined, onLog?: (line: string) => void): Promise<EmbeddedDatabase> {
  const urlFile = path.join(home, 'database-url');
  const passwordFile = path.join(home, 'postgres-password');
  const initialised = existsSync(path.join(home, 'postgres', 'PG_VERSION'));
  let password = existsSync(passwordFile) ? (await readFile(passwordFile, 'utf8')).trim() : undefined;
  const legacy = password === undefined && initialised;
  if (password === undefined && !initialised) {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }
  let embedded = await startEmbeddedPostgres({
    dataParent: home,
    password: password ?? LEGACY_PASSWORD,
    ...(port === undefined ? {} : { port }),
    onLog,
  });
  if (legacy) embedded = await rotateLegacyPassword(embedded, passwordFile);
  await writeFile(urlFile, `${embedded.url}\n`, { mode: 0o600 });
  return {
    url: embedded.url,
    async stop() {
      await rm(urlFile, { force: true });
      await embedded.stop();
    },
  };
}

/** A data directory from before random passwords still has the fixed one: replace it now, once. */
async function rotateLegacyPassword(embedded: EmbeddedDatabase, passwordFile: string): Promise<EmbeddedDatabase> {
  const password = randomBytes(18).toString('base64url');
  const client = new pg.Client({ connectionString: embedded.url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`ALTER USER postgres PASSWORD ${pg.escapeLiteral(password)}`);
  } finally {
    await client.end().catch(() => {});
  }
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  const url = new URL(embedded.url);
  url.password = encodeURIComponent(password);
  return { url: url.toString(), stop: embedded.stop };
}

/**
 * For a process that shares another one's embedded database: when the owner stops it (its `postmaster.pid`
 * disappears), start it again here, on the same port and data, so every connection string this process holds
 * stays valid and its pools simply reconnect. When two processes race, PostgreSQL lets one start; the other
 * finds it answering. When neither works, `onLost` gets one line saying what to do (the caller exits).
 */
export function watchEmbeddedOwner(options: {
  home: string;
  url: string;
  onTakenOver: (embedded: EmbeddedDatabase) => void;
  onLost: (message: string) => void;
  onLog?: (line: string) => void;
  intervalMs?: number;
}): { stop(): void } {
  const pidFile = path.join(options.home, 'postgres', 'postmaster.pid');
  let busy = false;
  let done = false;
  const check = async () => {
    if (busy || done || existsSync(pidFile)) return;
    busy = true;
    try {
      const port = Number(new URL(options.url).port);
      try {
        const embedded = await startOwnEmbedded(options.home, port, options.onLog);
        done = true;
        options.onTakenOver(embedded);
      } catch (error) {
        if (await canConnect(options.url)) return; // another process took it over first
        done = true;
        options.onLost(
          `the embedded database in ${options.home} stopped with the process that ran it, and it could not be started here (${(error as Error).message}); start Leadline again`,
        );
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), options.intervalMs ?? 1_000);
  timer.unref();
  return {
    stop() {
      done = true;
      clearInterval(timer);
    },
  };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
