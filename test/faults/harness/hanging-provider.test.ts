import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/start-test-leadline.ts';
import { startHangingProvider, type HangingProvider } from './hanging-provider.ts';

let provider: HangingProvider | undefined;
afterAll(async () => {
  await provider?.close();
});

describe('the hanging provider', () => {
  it('when a client posts to it, then the connection is accepted and the request read, no answer ever comes, and the client ends at its own timeout', async () => {
    provider = await startHangingProvider();
    const started = Date.now();
    const outcome = await fetch(`${provider.url}/bot123:abc/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 1, text: 'hello' }),
      signal: AbortSignal.timeout(400),
    }).then(
      (response) => `answered ${response.status}`,
      (error: Error) => error.name,
    );
    const tookMs = Date.now() - started;

    expect(outcome).toBe('TimeoutError');
    expect(tookMs).toBeGreaterThanOrEqual(390);
    expect(provider.connections).toHaveLength(1);
    expect(provider.connections[0]!.bytesReceived).toBeGreaterThan(0);
    // The client gave up and closed its side; the provider itself never closes.
    await waitFor('the client to close', () => provider!.connections[0]!.closedAt !== undefined, 2000);
  });
});
