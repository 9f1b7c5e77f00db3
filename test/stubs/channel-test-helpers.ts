import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ChannelError } from '../../src/channels/channel.ts';

/** The ChannelError a send rejects with; anything else (or a success) fails the test. */
export async function sendError(promise: Promise<unknown>): Promise<ChannelError> {
  const error: unknown = await promise.then(
    () => new Error('expected the send to fail'),
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof ChannelError)) throw error;
  return error;
}

/** A port that nothing listens on: bind one, note it, close it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
