import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/start-test-leadline.ts';
import { startFaultPostgres, type FaultPostgres } from './postgres-control.ts';
import { parseStartupParameters, startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

let control: FaultPostgres;
let proxy: TcpProxy;
const clients: pg.Client[] = [];

beforeAll(async () => {
  control = await startFaultPostgres();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: control.port });
});
afterAll(async () => {
  for (const client of clients) await client.end().catch(() => {});
  await proxy?.close();
  await control?.destroy();
});

async function connectThroughProxy(applicationName: string): Promise<{ client: pg.Client; events: string[] }> {
  const client = new pg.Client({ connectionString: proxy.urlFor(control.url), application_name: applicationName });
  const events: string[] = [];
  client.on('error', (error) => events.push(`error: ${error.message}`));
  client.on('end', () => events.push('end'));
  await client.connect();
  clients.push(client);
  return { client, events };
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return result;
}

describe('the TCP proxy in front of PostgreSQL', () => {
  it('when clients connect through it, then it forwards their queries and knows each connection by its application_name', async () => {
    const listener = await connectThroughProxy('leadline-listener');
    const pool = await connectThroughProxy('leadline-all');
    await expect(listener.client.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await expect(pool.client.query(`SELECT repeat('x', 200000) AS big`)).resolves.toMatchObject({ rows: [{ big: 'x'.repeat(200000) }] });
    const names = proxy.connections.map((connection) => connection.applicationName);
    expect(names).toContain('leadline-listener');
    expect(names).toContain('leadline-all');
    expect(proxy.connections.find((connection) => connection.applicationName === 'leadline-all')?.parameters).toMatchObject({
      user: 'postgres',
      database: 'postgres',
    });
  });

  it('when the listener connections are frozen, then their queries hang without an error or a close, other connections keep working, and after a thaw the held query completes', async () => {
    const listener = await connectThroughProxy('leadline-listener-frozen');
    const other = await connectThroughProxy('leadline-all-other');

    const frozen = proxy.freeze((connection) => connection.applicationName?.startsWith('leadline-listener-frozen') ?? false);
    expect(frozen.map((connection) => connection.applicationName)).toEqual(['leadline-listener-frozen']);
    expect(frozen[0]!.isFrozen()).toBe(true);

    const held = listener.client.query('SELECT 42 AS answer');
    expect(await settlesWithin(held, 500), 'a query on a frozen connection must not complete').toBe(false);
    expect(listener.events).toEqual([]);
    await expect(other.client.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    // The server still has the session: the connection is open on both sides.
    const { rows } = await control.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'leadline-listener-frozen'`,
    );
    expect(rows[0]!.n).toBe(1);

    expect(proxy.thaw()).toBe(1);
    await expect(held).resolves.toMatchObject({ rows: [{ answer: 42 }] });
  });

  it('when the server ends a frozen connection, then the client does not learn of it until the thaw: a half-open connection', async () => {
    const victim = await connectThroughProxy('leadline-listener-half-open');
    proxy.freeze((connection) => connection.applicationName === 'leadline-listener-half-open');
    await control.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'leadline-listener-half-open'`);
    await waitFor('the backend to be gone', async () => {
      const { rows } = await control.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'leadline-listener-half-open'`,
      );
      return rows[0]!.n === 0;
    });
    const query = victim.client.query('SELECT 1');
    query.catch(() => {});
    expect(await settlesWithin(query, 300)).toBe(false);
    expect(victim.events).toEqual([]);

    proxy.thaw();
    await expect(query).rejects.toThrow();
    await waitFor('the client to see the end', () => victim.events.length > 0);
  });

  it('when a client asks for SSL first, then the proxy answers N and passes the following startup packet on', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const sslRequest = Buffer.alloc(8);
    sslRequest.writeInt32BE(8, 0);
    sslRequest.writeInt32BE(80877103, 4);
    socket.write(sslRequest);
    await waitFor('the answer to SSLRequest', () => received.length > 0);
    expect(Buffer.concat(received).toString()).toBe('N');

    const parameters = Buffer.from('user\0postgres\0database\0postgres\0application_name\0raw-ssl-client\0\0');
    const startup = Buffer.alloc(8 + parameters.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    parameters.copy(startup, 8);
    socket.write(startup);
    // The server asks for authentication ('R'): the startup packet arrived intact.
    await waitFor('the server to answer the startup packet', () => Buffer.concat(received).length > 1);
    expect(String.fromCharCode(Buffer.concat(received)[1]!)).toBe('R');
    expect(proxy.connections.at(-1)?.applicationName).toBe('raw-ssl-client');
    socket.destroy();
  });

  it('parses the key/value list of a startup packet', () => {
    expect(parseStartupParameters(Buffer.from('user\0u\0application_name\0leadline-listener\0\0'))).toEqual({
      user: 'u',
      application_name: 'leadline-listener',
    });
  });
});
