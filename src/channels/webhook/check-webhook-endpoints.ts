import type { OutboundWebhookEndpoint } from '../../config/load-config.ts';
import { ConfigError } from '../../shared/config-error.ts';
import { BlockedAddressError } from './blocked-address-error.ts';
import { createAddressGuard, type ResolveHost } from './create-address-guard.ts';

/** Start-up must not hang on a slow resolver: a host that does not resolve in time is judged on connection. */
const RESOLVE_TIMEOUT_MS = 3_000;

/**
 * The start-up half of the SSRF guard: every endpoint's host is resolved once, and one that resolves to a
 * non-public address stops start-up with one line naming OUTBOUND_WEBHOOKS (the config check has already
 * refused literal addresses and localhost). A host that does not resolve now (no network yet, a typo) is
 * reported and left to the guard before every connection, which refuses the same addresses.
 */
export async function checkWebhookEndpoints(
  endpoints: readonly OutboundWebhookEndpoint[],
  options: { allowPrivate: boolean; resolve?: ResolveHost; onUnresolved?: (endpoint: string, error: Error) => void },
): Promise<void> {
  if (options.allowPrivate) return;
  const guard = createAddressGuard({ allowPrivate: false, ...(options.resolve ? { resolve: options.resolve } : {}) });
  await Promise.all(
    endpoints.map(async (endpoint) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          guard.checkHost(new URL(endpoint.url).hostname),
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`no DNS answer within ${RESOLVE_TIMEOUT_MS} ms`)), RESOLVE_TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        if (error instanceof BlockedAddressError) throw new ConfigError(`OUTBOUND_WEBHOOKS: ${endpoint.name}: ${error.message}`);
        options.onUnresolved?.(endpoint.name, error as Error);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
