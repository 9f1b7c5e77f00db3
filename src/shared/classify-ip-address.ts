import { isIP } from 'node:net';

/**
 * Why an address is no place to send an outbound webhook to: it reaches this machine, its network, the
 * cloud provider's metadata service, or nothing routable at all. Used by the SSRF guard before every
 * connection and by the config check at start-up.
 */
export type NonPublicAddressKind =
  'loopback' | 'private' | 'link-local' | 'cgnat' | 'unique-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

interface Range {
  bytes: readonly number[];
  prefix: number;
  kind: NonPublicAddressKind;
}

const v4 = (cidr: string, kind: NonPublicAddressKind): Range => {
  const [address, prefix] = cidr.split('/');
  return { bytes: parseIpv4(address!)!, prefix: Number(prefix), kind };
};
const v6 = (cidr: string, kind: NonPublicAddressKind): Range => {
  const [address, prefix] = cidr.split('/');
  return { bytes: parseIpv6(address!)!, prefix: Number(prefix), kind };
};

/*
 * IANA's special-purpose registries, minus the ranges that are ordinary internet. More specific ranges come
 * first: the first match names the kind. Metadata services: 169.254.169.254 (AWS, GCP, Azure, OpenStack),
 * 168.63.129.16 (Azure's host agent, a public-looking address), fd00:ec2::254 (AWS over IPv6).
 */
const IPV4_RANGES: readonly Range[] = [
  v4('169.254.169.254/32', 'metadata'),
  v4('168.63.129.16/32', 'metadata'),
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'cgnat'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'reserved'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('198.51.100.0/24', 'reserved'),
  v4('203.0.113.0/24', 'reserved'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: readonly Range[] = [
  v6('fd00:ec2::254/128', 'metadata'),
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('64:ff9b:1::/48', 'reserved'),
  v6('100::/64', 'reserved'),
  v6('2001::/23', 'reserved'),
  v6('2001:db8::/32', 'reserved'),
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'reserved'),
  v6('ff00::/8', 'multicast'),
];

/**
 * IPv6 ranges that carry an IPv4 address: the IPv4 one decides. `::ffff:127.0.0.1` (IPv4-mapped) reaches
 * 127.0.0.1 on a dual-stack socket, `64:ff9b::7f00:1` reaches it through NAT64, `2002:7f00:1::` through
 * 6to4; `::a.b.c.d` is the deprecated IPv4-compatible form.
 */
const EMBEDDING_RANGES: readonly { bytes: readonly number[]; prefix: number; offset: number }[] = [
  { bytes: parseIpv6('::ffff:0:0')!, prefix: 96, offset: 12 },
  { bytes: parseIpv6('64:ff9b::')!, prefix: 96, offset: 12 },
  { bytes: parseIpv6('2002::')!, prefix: 16, offset: 2 },
];
const IPV4_COMPATIBLE = parseIpv6('::')!;

/**
 * Classifies an IP address (IPv4, IPv6 with or without a zone, IPv4-mapped IPv6 in dotted or hex form).
 * Returns undefined for a public address, the kind otherwise; text that is no IP address at all counts as
 * `reserved`, so a caller can never mistake garbage for a public address.
 */
export function classifyIpAddress(address: string): NonPublicAddressKind | undefined {
  const text = address.trim().replace(/^\[|\]$/g, '');
  const family = isIP(text.replace(/%.*$/, ''));
  if (family === 4) return match(parseIpv4(text)!, IPV4_RANGES);
  if (family !== 6) return 'reserved';
  const bytes = parseIpv6(text)!;
  for (const embedding of EMBEDDING_RANGES) {
    if (inPrefix(bytes, embedding.bytes, embedding.prefix)) return match(bytes.slice(embedding.offset, embedding.offset + 4), IPV4_RANGES);
  }
  // `::` and `::1` sit inside ::/96 but are IPv6's own unspecified and loopback addresses.
  const isOwnLoopbackOrUnspecified = (bytes[12]! | bytes[13]! | bytes[14]!) === 0 && bytes[15]! <= 1;
  if (inPrefix(bytes, IPV4_COMPATIBLE, 96) && !isOwnLoopbackOrUnspecified) return match(bytes.slice(12), IPV4_RANGES);
  return match(bytes, IPV6_RANGES);
}

/** Host names that mean this machine whatever DNS says (RFC 6761): `localhost` and anything under it. */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

function match(bytes: readonly number[], ranges: readonly Range[]): NonPublicAddressKind | undefined {
  return ranges.find((range) => inPrefix(bytes, range.bytes, range.prefix))?.kind;
}

function inPrefix(bytes: readonly number[], network: readonly number[], prefix: number): boolean {
  if (bytes.length !== network.length) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const remaining = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - remaining)) & 0xff;
    const index = bit / 8;
    if (((bytes[index] ?? 0) & mask) !== ((network[index] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
  return bytes.every((byte) => byte >= 0 && byte <= 255) ? bytes : undefined;
}

/** 16 bytes of an IPv6 address (zone dropped, `::` expanded, a dotted IPv4 tail read), or undefined. */
function parseIpv6(text: string): number[] | undefined {
  const address = text.replace(/%.*$/, '');
  let head = address;
  let tail: number[] = [];
  const lastColon = address.lastIndexOf(':');
  if (address.slice(lastColon + 1).includes('.')) {
    const ipv4 = parseIpv4(address.slice(lastColon + 1));
    if (!ipv4) return undefined;
    tail = ipv4;
    head = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const words = (half: string) =>
    half === '' ? [] : half.split(':').map((word) => (/^[0-9a-f]{1,4}$/i.test(word) ? parseInt(word, 16) : NaN));
  const left = words(halves[0] ?? '');
  const right = halves.length === 2 ? words(halves[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...right];
  if (all.some((word) => Number.isNaN(word))) return undefined;
  const bytes = all.flatMap((word) => [word >> 8, word & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}
