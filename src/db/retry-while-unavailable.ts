import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from '../shared/app-error.ts';

/**
 * Runs `work`, and again while it fails because the database is away (a terminated connection, a restart),
 * waiting 100 ms, 200 ms, … up to 2 s between tries, for at most `maxMs`. For writes that must not be lost
 * once made true elsewhere: that a provider accepted a message is recorded, or the message is sent twice.
 * Any other error, or the last one, is thrown.
 */
export async function retryWhileUnavailable<T>(work: () => Promise<T>, maxMs = 8_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  let delayMs = 100;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + delayMs > deadline) throw error;
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 2_000);
    }
  }
}
