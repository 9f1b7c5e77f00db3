import { describe, expect, it } from 'vitest';
import { classifyIpAddress, isLoopbackHostname } from './classify-ip-address.ts';

describe('classifyIpAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['100.100.100.200', 'cgnat'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
  ])('when the IPv4 address is %s, then it is %s', (address, kind) => {
    expect(classifyIpAddress(address)).toBe(kind);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '34.120.1.2',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.1.1',
    '192.169.0.1',
    '11.0.0.1',
  ])('when the IPv4 address is %s, then it is public', (address) => {
    expect(classifyIpAddress(address)).toBeUndefined();
  });

  it.each([
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['64:ff9b:1::1', 'reserved'],
  ])('when the IPv6 address is %s, then it is %s', (address, kind) => {
    expect(classifyIpAddress(address)).toBe(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:192.168.0.1', 'private'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['::0.0.0.5', 'unspecified'],
  ])('when an IPv6 address carries an IPv4 address (%s), then the IPv4 address decides: %s', (address, kind) => {
    expect(classifyIpAddress(address)).toBe(kind);
  });

  it.each(['2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    'when the IPv6 address is %s, then it is public',
    (address) => {
      expect(classifyIpAddress(address)).toBeUndefined();
    },
  );

  it.each(['', 'localhost', 'example.com', '127.1', '1.2.3.4.5', '256.0.0.1', ':::1', 'fe80::1::2', '12345::'])(
    'when the text %j is no IP address, then it never counts as public',
    (text) => {
      expect(classifyIpAddress(text)).toBe('reserved');
    },
  );
});

describe('isLoopbackHostname', () => {
  it('when a host name is localhost or under it, then it is loopback whatever DNS says', () => {
    expect(['localhost', 'LOCALHOST', 'localhost.', 'api.localhost'].map(isLoopbackHostname)).toEqual([true, true, true, true]);
    expect(['localhost.example.com', 'mylocalhost', 'example.com'].map(isLoopbackHostname)).toEqual([false, false, false]);
  });
});
