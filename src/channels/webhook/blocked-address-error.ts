import type { NonPublicAddressKind } from '../../shared/classify-ip-address.ts';

/**
 * The SSRF guard refused a connection: the receiver's host is, or resolves to, an address that is not on
 * the public internet. Names the host and the address, never the URL (its path is a secret).
 */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'ERR_BLOCKED_ADDRESS';
  readonly host: string;
  readonly address: string;
  readonly kind: NonPublicAddressKind;

  constructor(host: string, address: string, kind: NonPublicAddressKind) {
    super(
      `${host}${host === address ? '' : ` resolves to ${address}, which`} is a ${kind} address; outbound webhooks go to public addresses only (OUTBOUND_ALLOW_PRIVATE=true allows others)`,
    );
    this.host = host;
    this.address = address;
    this.kind = kind;
  }
}
