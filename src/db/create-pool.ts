import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface PoolOptions {
  connectionString: string;
  max: number;
  applicationName: string;
  /** How long a caller waits for a free connection before it gets an error (a fast 503, or the spool). */
  connectTimeoutMs?: number;
  /**
   * The server cancels a statement that runs longer than this (`statement_timeout`), and a statement that
   * waits this long for a lock (`lock_timeout`), so a locked table or a stalled database never holds a
   * request or a worker without bound. 0 = no bound (scripts, migrations).
   */
  statementTimeoutMs?: number;
  /**
   * The client gives up on a query this long after sending it, even when the server never answers (a
   * half-open connection, a frozen database); the pool then discards that connection. 0 = no client bound.
   */
  queryTimeoutMs?: number;
  /**
   * Told about every connection error (idle or checked out); the pool replaces the connection itself. A
   * script may leave it out: the failure then surfaces as the error of its next query.
   */
  onError?: (error: Error) => void;
  /**
   * `false` lets this pool's commits return before their WAL reaches the disk (`synchronous_commit=off`):
   * for bookkeeping that can be redone (a Postgres crash loses at most its last ~0.6 s, atomically), never
   * for writes a caller was told are stored.
   */
  synchronousCommit?: boolean;
}

/**
 * A small pool is right here: Postgres and Node share two cores and capture throughput peaks near four
 * connections. Every physical connection gets an `error` listener the moment it is made, so a connection
 * that dies while checked out (a Postgres restart, a failover, `pg_terminate_backend`) is reported and
 * replaced instead of crashing the process with an unhandled `error` event: pg-pool only listens on idle
 * connections.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const statementTimeoutMs = options.statementTimeoutMs ?? 0;
  const queryTimeoutMs = options.queryTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(statementTimeoutMs > 0
      ? {
          statement_timeout: statementTimeoutMs,
          lock_timeout: statementTimeoutMs,
          // A session stuck inside a transaction (a process frozen mid-work) must not hold row locks for ever.
          idle_in_transaction_session_timeout: Math.max(60_000, statementTimeoutMs * 2),
        }
      : {}),
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
    ...(options.synchronousCommit === false ? { options: '-c synchronous_commit=off' } : {}),
  });
  const onError = options.onError ?? (() => {});
  pool.on('connect', (client) => client.on('error', onError));
  // pg-pool re-emits idle connections' errors here; the per-connection listener above already reported them.
  pool.on('error', () => {});
  return pool;
}

/**
 * Runs `work` in a transaction on one connection. A connection that failed (it was terminated, or the
 * rollback could not get through) is destroyed on release rather than handed to the next caller.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
