/**
 * A provider that accepts TCP connections and never answers: it reads whatever the client sends and says
 * nothing, and never closes. Point a channel's URL at it (e.g. `TELEGRAM_API_ROOT`) to see that every attempt
 * ends at the client's own timeout instead of holding a worker forever.
 */
import net from 'node:net';

export interface HangingConnection {
  openedAt: number;
  /** When the client gave up and closed, if it did. */
  closedAt: number | undefined;
  bytesReceived: number;
}

export interface HangingProvider {
  host: string;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  readonly connections: readonly HangingConnection[];
  close(): Promise<void>;
}

export async function startHangingProvider(): Promise<HangingProvider> {
  const connections: HangingConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const connection: HangingConnection = { openedAt: Date.now(), closedAt: undefined, bytesReceived: 0 };
    connections.push(connection);
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      connection.bytesReceived += chunk.length;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      connection.closedAt = Date.now();
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    url: `http://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
