import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { BlockedAddressError } from './blocked-address-error.ts';
import { createAddressGuard, type AddressGuard, type ResolveHost } from './create-address-guard.ts';

/** Runs the guard's `lookup` the way a socket does (`all: true` under Happy Eyeballs) and returns its answer. */
function lookUp(guard: AddressGuard, hostname: string, all = true): Promise<LookupAddress[] | string> {
  return new Promise((resolve, reject) => {
    guard.lookup(hostname, { all }, (error, address) => (error ? reject(error) : resolve(address)));
  });
}

describe('the SSRF guard', () => {
  it('when localhost is resolved through the system resolver, then its loopback answer is refused', async () => {
    const guard = createAddressGuard({ allowPrivate: false });

    const error = await lookUp(guard, 'localhost').catch((rejection: unknown) => rejection);

    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(error).toMatchObject({ host: 'localhost', kind: 'loopback' });
    expect((error as Error).message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/);
  });

  it('when private addresses are allowed, then localhost resolves as usual, in both lookup forms', async () => {
    const guard = createAddressGuard({ allowPrivate: true });

    const all = await lookUp(guard, 'localhost');
    const one = await lookUp(guard, 'localhost', false);

    expect(Array.isArray(all) && all.length > 0).toBe(true);
    expect(['127.0.0.1', '::1']).toContain(one);
  });

  it('when a name has a public and a private address, then the name is refused', async () => {
    const resolve: ResolveHost = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    const guard = createAddressGuard({ allowPrivate: false, resolve });

    await expect(lookUp(guard, 'mixed.example')).rejects.toMatchObject({ address: '10.0.0.7', kind: 'private' });
    await expect(guard.checkHost('mixed.example')).rejects.toBeInstanceOf(BlockedAddressError);
  });

  it('when a name resolves to IPv4-mapped loopback or the metadata service, then it is refused', async () => {
    for (const address of ['::ffff:127.0.0.1', '169.254.169.254', 'fd00:ec2::254', 'fe80::1']) {
      const guard = createAddressGuard({ allowPrivate: false, resolve: async () => [{ address, family: address.includes(':') ? 6 : 4 }] });
      await expect(lookUp(guard, 'rebind.example')).rejects.toBeInstanceOf(BlockedAddressError);
    }
  });

  it('when a name resolves to public addresses, then the socket gets exactly the addresses checked, from one resolution', async () => {
    let resolutions = 0;
    const answer = [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ];
    const guard = createAddressGuard({
      allowPrivate: false,
      resolve: async () => {
        resolutions += 1;
        return answer;
      },
    });

    expect(await lookUp(guard, 'hooks.example')).toEqual(answer);
    expect(await lookUp(guard, 'hooks.example', false)).toBe('93.184.215.14');
    expect(resolutions).toBe(2);
  });

  it('when the host is an IP literal or a localhost name, then checkLiteral judges it without DNS; other names are left to the lookup', () => {
    const guard = createAddressGuard({
      allowPrivate: false,
      resolve: async () => {
        throw new Error('no DNS expected');
      },
    });

    expect(() => guard.checkLiteral('127.0.0.1')).toThrow(BlockedAddressError);
    expect(() => guard.checkLiteral('[::ffff:7f00:1]')).toThrow(BlockedAddressError);
    expect(() => guard.checkLiteral('app.localhost')).toThrow(BlockedAddressError);
    expect(() => guard.checkLiteral('8.8.8.8')).not.toThrow();
    expect(() => guard.checkLiteral('hooks.zapier.com')).not.toThrow();
  });
});
