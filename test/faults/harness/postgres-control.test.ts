import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultPostgres, type FaultPostgres } from './postgres-control.ts';

let control: FaultPostgres;
beforeAll(async () => {
  control = await startFaultPostgres();
});
afterAll(async () => {
  await control?.destroy();
});

async function connect(applicationName: string): Promise<{ client: pg.Client; errors: Error[] }> {
  const client = new pg.Client({ connectionString: control.url, application_name: applicationName });
  const errors: Error[] = [];
  client.on('error', (error) => errors.push(error));
  await client.connect();
  return { client, errors };
}

describe("a fault test's own PostgreSQL", () => {
  it('when stopped and started again, then it refuses connections while down and comes back on the same port with its data', async () => {
    await control.query('CREATE TABLE IF NOT EXISTS survives (value text)');
    await control.query(`INSERT INTO survives VALUES ('before the stop')`);
    const portBefore = control.port;

    await control.stop();
    expect(control.isRunning()).toBe(false);
    const refused = await new pg.Client({ connectionString: control.url, connectionTimeoutMillis: 2000 }).connect().then(
      () => 'connected',
      (error: NodeJS.ErrnoException) => error.code,
    );
    // Over TCP the port refuses; over the Unix socket (how the embedded server is reached) the socket is gone.
    expect(['ECONNREFUSED', 'ENOENT']).toContain(refused);

    await control.start();
    expect(control.port).toBe(portBefore);
    const { rows } = await control.query<{ value: string }>('SELECT value FROM survives');
    expect(rows).toEqual([{ value: 'before the stop' }]);
  });

  it("when the service's backends are terminated, then every session named leadline… (pool, listener, pg-boss) is cut and other sessions are not", async () => {
    const pool = await connect('leadline-all');
    const listener = await connect('leadline-listener');
    const queue = await connect('leadline-queue');
    const other = await connect('someone-else');

    const terminated = await control.terminateServiceBackends();

    expect(terminated).toBe(3);
    for (const { client } of [pool, listener, queue]) await expect(client.query('SELECT 1')).rejects.toThrow();
    await expect(other.client.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
    await other.client.end();
    // Our own control session is not named leadline…: it keeps working.
    await expect(control.query('SELECT 1')).resolves.toBeDefined();
  });

  it('when a termination storm runs every 100 ms for 1 s, then it runs about ten rounds and cuts a session that keeps reconnecting', async () => {
    let reconnects = 0;
    let stop = false;
    const reconnecting = (async () => {
      while (!stop) {
        const { client } = await connect('leadline-storm-victim');
        await new Promise<void>((resolve) => client.once('error', () => resolve()));
        reconnects += 1;
        await client.end().catch(() => {});
      }
    })();

    const storm = control.startTerminationStorm({ everyMs: 100, durationMs: 1000 });
    const result = await storm.done;
    stop = true;
    await control.terminateServiceBackends();
    await reconnecting;

    expect(result.rounds).toBeGreaterThanOrEqual(8);
    expect(result.rounds).toBeLessThanOrEqual(11);
    expect(result.terminated).toBeGreaterThanOrEqual(3);
    expect(reconnects).toBeGreaterThanOrEqual(3);
  });

  it('when a table is locked for 600 ms, then an insert from another session waits until the lock is released', async () => {
    await control.query('CREATE TABLE IF NOT EXISTS locked (value int)');
    const hold = await control.holdLock('locked', 600);
    const started = Date.now();
    await control.query('INSERT INTO locked VALUES (1)');
    const waited = Date.now() - started;
    const releasedAt = await hold.released;

    expect(waited).toBeGreaterThanOrEqual(500);
    expect(Date.now()).toBeGreaterThanOrEqual(releasedAt);
    expect(releasedAt - hold.acquiredAt).toBeGreaterThanOrEqual(590);
  });
});
