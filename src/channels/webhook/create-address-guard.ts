import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { classifyIpAddress, isLoopbackHostname } from '../../shared/classify-ip-address.ts';
import { BlockedAddressError } from './blocked-address-error.ts';

/** Resolves a host name to every address it has (the system resolver, as Node's own connections use it). */
export type ResolveHost = (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

export const systemResolve: ResolveHost = (hostname, family) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, family }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

export interface AddressGuard {
  /**
   * A `lookup` for node:http's connections: it resolves the host, refuses the connection when any address
   * is not public, and hands the socket exactly the addresses it checked. The socket connects to what was
   * checked, so a DNS answer that changes between the check and the connection (rebinding) cannot slip
   * through: there is no second lookup. IP literals never reach a lookup; `checkHost` covers them.
   */
  lookup: LookupFunction;
  /**
   * Judges what needs no DNS: an IP literal (which never reaches a lookup) or a localhost name. Throws
   * BlockedAddressError for a refused one; any other name is judged by `lookup` when it connects.
   */
  checkLiteral(host: string): void;
  /** Resolves `host` (or reads an IP literal) and throws BlockedAddressError unless every address is public. */
  checkHost(host: string): Promise<LookupAddress[]>;
}

/** The SSRF guard of outbound webhooks; with `allowPrivate` it resolves but refuses nothing. */
export function createAddressGuard(options: { allowPrivate: boolean; resolve?: ResolveHost }): AddressGuard {
  const resolve = options.resolve ?? systemResolve;

  const judge = (host: string, addresses: LookupAddress[]): LookupAddress[] => {
    if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
    if (options.allowPrivate) return addresses;
    // Any non-public answer refuses the host: a name that mixes public and private addresses is not a receiver.
    for (const { address } of addresses) {
      const kind = classifyIpAddress(address);
      if (kind) throw new BlockedAddressError(host, address, kind);
    }
    return addresses;
  };

  /** The addresses of an IP literal, judged; undefined for a name that needs DNS. */
  const literal = (host: string): LookupAddress[] | undefined => {
    const bare = host.replace(/^\[|\]$/g, '');
    const family = isIP(bare);
    if (family === 4 || family === 6) return judge(bare, [{ address: bare, family }]);
    if (!options.allowPrivate && isLoopbackHostname(bare)) throw new BlockedAddressError(bare, bare, 'loopback');
    return undefined;
  };

  const checkHost = async (host: string): Promise<LookupAddress[]> => {
    const bare = host.replace(/^\[|\]$/g, '');
    return literal(bare) ?? judge(bare, await resolve(bare, 0));
  };

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
    const checked = isIP(hostname) ? checkHost(hostname) : resolve(hostname, family).then((addresses) => judge(hostname, addresses));
    void checked.then(
      (addresses) => {
        const [first] = addresses;
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, first!.address, first!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

  return {
    lookup,
    checkLiteral: (host) => {
      literal(host);
    },
    checkHost,
  };
}
