import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config-error.ts';
import { checkWebhookEndpoints } from './check-webhook-endpoints.ts';
import type { ResolveHost } from './create-address-guard.ts';

const answers: Record<string, string> = {
  'crm.example': '93.184.215.14',
  'intranet.example': '10.20.30.40',
  'rebind.example': '::ffff:127.0.0.1',
};
const resolve: ResolveHost = async (hostname) => {
  const address = answers[hostname];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address, family: address.includes(':') ? 6 : 4 }];
};

describe('checkWebhookEndpoints at start-up', () => {
  it('when every host resolves to a public address, then start-up goes on', async () => {
    await expect(
      checkWebhookEndpoints([{ name: 'crm', url: 'https://crm.example/in' }], { allowPrivate: false, resolve }),
    ).resolves.toBeUndefined();
  });

  it('when a host resolves to a private or IPv4-mapped loopback address, then start-up stops with one line naming OUTBOUND_WEBHOOKS and the endpoint', async () => {
    for (const [name, host, address] of [
      ['intranet', 'intranet.example', '10.20.30.40'],
      ['rebind', 'rebind.example', '::ffff:127.0.0.1'],
    ] as const) {
      const error = await checkWebhookEndpoints([{ name, url: `https://${host}/hooks/secret-path` }], {
        allowPrivate: false,
        resolve,
      }).catch((rejection: unknown) => rejection);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(
        new RegExp(`^OUTBOUND_WEBHOOKS: ${name}: ${host} resolves to ${address.replace(/\./g, '\\.')}, which is a`),
      );
      expect((error as Error).message).toContain('OUTBOUND_ALLOW_PRIVATE=true');
      expect((error as Error).message).not.toContain('secret-path');
    }
  });

  it('when a host does not resolve now, then start-up goes on and says so (the guard judges it again at every connection)', async () => {
    const unresolved: string[] = [];
    await checkWebhookEndpoints([{ name: 'later', url: 'https://not-yet.example/in' }], {
      allowPrivate: false,
      resolve,
      onUnresolved: (endpoint, error) => unresolved.push(`${endpoint}: ${error.message}`),
    });
    expect(unresolved).toEqual(['later: getaddrinfo ENOTFOUND not-yet.example']);
  });

  it('when OUTBOUND_ALLOW_PRIVATE is set, then nothing is resolved', async () => {
    const refuse: ResolveHost = async () => {
      throw new Error('no lookup expected');
    };
    await checkWebhookEndpoints([{ name: 'intranet', url: 'https://intranet.example/in' }], { allowPrivate: true, resolve: refuse });
  });
});
