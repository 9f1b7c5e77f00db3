/** How often a waiting test re-checks its condition: short enough to add no visible latency. */
const POLL_INTERVAL_MS = 10;

/**
 * Resolves as soon as `condition()` is true, checking every 10 ms; rejects after `timeoutMs`. Tests wait for
 * a condition instead of sleeping a fixed time, so they are as fast as the code and not flaky when slow.
 */
export async function waitFor(condition: () => boolean, timeoutMs = 2000, description = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
