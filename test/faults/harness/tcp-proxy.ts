/**
 * A loopback TCP proxy between Leadline and PostgreSQL that can freeze chosen connections: a frozen connection
 * stays open on both sides but nothing is forwarded either way (not even a close), which is what a half-open
 * connection looks like to the client: its writes succeed and no answer ever comes.
 *
 * Connections are chosen by the `application_name` of their Postgres startup packet (protocol 3.0), read on
 * the way through; an SSLRequest or GSSENCRequest before it is answered `N` (no encryption), as a server
 * without TLS does. The freeze is at the application level: TCP keepalives are still answered by each side's
 * kernel, so only an application-level check (a query with a timeout) can notice it.
 */
import net from 'node:net';

const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
const PROTOCOL_3_0 = 196608;

export interface ProxiedConnection {
  id: number;
  /** From the startup packet; undefined for a cancel request or a client that set none. */
  applicationName: string | undefined;
  /** All startup parameters (user, database, application_name, …). */
  parameters: Record<string, string>;
  openedAt: number;
  closedAt: number | undefined;
  frozenAt: number | undefined;
  isFrozen(): boolean;
}

export interface TcpProxy {
  host: string;
  port: number;
  /** `upstreamUrl` with its host and port replaced by the proxy's. */
  urlFor(upstreamUrl: string): string;
  /** Every connection so far, in arrival order. */
  readonly connections: readonly ProxiedConnection[];
  /** Freezes the open connections that match; returns them. */
  freeze(match: (connection: ProxiedConnection) => boolean): ProxiedConnection[];
  /** Forwards again what was held (and any close that happened meanwhile); returns how many were thawed. */
  thaw(match?: (connection: ProxiedConnection) => boolean): number;
  close(): Promise<void>;
}

/** Reads `key\0value\0…\0` from a startup packet body. */
export function parseStartupParameters(body: Buffer): Record<string, string> {
  const parts = body.toString('utf8').split('\0');
  const parameters: Record<string, string> = {};
  for (let index = 0; index + 1 < parts.length; index += 2) {
    const key = parts[index]!;
    if (key === '') break;
    parameters[key] = parts[index + 1]!;
  }
  return parameters;
}

interface Session extends ProxiedConnection {
  client: net.Socket;
  upstream: net.Socket | undefined;
  frozen: boolean;
  /** Set once the upstream is connected and bytes flow both ways. */
  forwarding: boolean;
  /** A side closed while frozen: passed on at thaw. */
  pendingClose: boolean;
  setFrozen(frozen: boolean): void;
}

export async function startTcpProxy(upstream: { host: string; port: number }): Promise<TcpProxy> {
  const sessions: Session[] = [];
  let nextId = 1;

  const server = net.createServer((client) => {
    const session: Session = {
      id: nextId++,
      applicationName: undefined,
      parameters: {},
      openedAt: Date.now(),
      closedAt: undefined,
      frozenAt: undefined,
      isFrozen: () => session.frozen,
      client,
      upstream: undefined,
      frozen: false,
      forwarding: false,
      pendingClose: false,
      setFrozen(frozen) {
        session.frozen = frozen;
        if (frozen) {
          session.frozenAt ??= Date.now();
          client.pause();
          session.upstream?.pause();
          return;
        }
        // Before the upstream is connected the client stays paused: its bytes wait for the forwarder.
        if (session.forwarding) {
          client.resume();
          session.upstream?.resume();
        }
        if (session.pendingClose) closeBoth();
      },
    };
    sessions.push(session);
    let pending = Buffer.alloc(0);

    const closeBoth = () => {
      if (session.frozen) {
        // Nothing crosses a frozen connection, not even the news that one side went away.
        session.pendingClose = true;
        return;
      }
      session.closedAt ??= Date.now();
      client.destroy();
      session.upstream?.destroy();
    };
    client.on('error', closeBoth);
    client.on('close', closeBoth);

    /** Forwards `from` → `to`, holding back while frozen and honouring backpressure. */
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => {
            if (!session.frozen) from.resume();
          });
        }
      });
    };

    const connectUpstream = (first: Buffer) => {
      const socket = net.connect(upstream.port, upstream.host);
      session.upstream = socket;
      socket.on('error', closeBoth);
      socket.on('close', closeBoth);
      socket.once('connect', () => {
        socket.write(first);
        forward(client, socket);
        forward(socket, client);
        session.forwarding = true;
        if (session.frozen) socket.pause();
        else client.resume();
      });
    };

    /** Reads the startup phase: optional encryption requests, then the startup (or cancel) packet. */
    const onStartupData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        const code = pending.readInt32BE(4);
        if (length === 8 && (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE)) {
          client.write('N');
          pending = pending.subarray(8);
          continue;
        }
        if (pending.length < length) return;
        // A cancel request (or a protocol we do not parse) is passed on untouched for the server to answer.
        if (code === PROTOCOL_3_0) {
          session.parameters = parseStartupParameters(pending.subarray(8, length));
          session.applicationName = session.parameters['application_name'];
        }
        client.off('data', onStartupData);
        client.pause();
        connectUpstream(pending);
        return;
      }
    };
    client.on('data', onStartupData);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    urlFor(upstreamUrl) {
      const url = new URL(upstreamUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      // A Unix socket (`?host=/dir`) would go round the proxy.
      url.searchParams.delete('host');
      return url.toString();
    },
    get connections() {
      return sessions;
    },
    freeze(match) {
      const chosen = sessions.filter((session) => session.closedAt === undefined && !session.frozen && match(session));
      for (const session of chosen) session.setFrozen(true);
      return chosen;
    },
    thaw(match = () => true) {
      const chosen = sessions.filter((session) => session.frozen && match(session));
      for (const session of chosen) session.setFrozen(false);
      return chosen.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) {
          session.frozen = false;
          session.client.destroy();
          session.upstream?.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
