import type { IncomingMessage } from 'node:http';
import { clientAddressOf, normalizeAddress } from './client-address';

const req = (remoteAddress: string, headers: Record<string, string | string[]> = {}) =>
  ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe('clientAddressOf', () => {
  it('uses the TCP peer unless a proxy header is configured', () => {
    expect(clientAddressOf(req('10.1.2.3', { 'x-forwarded-for': '1.1.1.1' }), undefined)).toBe('10.1.2.3');
    expect(clientAddressOf(req('::ffff:10.1.2.3'), undefined)).toBe('10.1.2.3');
  });

  it('takes the last entry of the proxy header, the one the proxy wrote', () => {
    const header = 'x-forwarded-for';
    expect(clientAddressOf(req('10.0.0.1', { [header]: 'forged, 9.9.9.9 , 203.0.113.7' }), header)).toBe(
      '203.0.113.7',
    );
    expect(clientAddressOf(req('10.0.0.1', { [header]: ['1.1.1.1', '203.0.113.8'] }), header)).toBe(
      '203.0.113.8',
    );
    // Missing, empty or oversized: the peer address.
    expect(clientAddressOf(req('10.0.0.1'), header)).toBe('10.0.0.1');
    expect(clientAddressOf(req('10.0.0.1', { [header]: ' ' }), header)).toBe('10.0.0.1');
    expect(clientAddressOf(req('10.0.0.1', { [header]: `${'1.'.repeat(5000)}1` }), header)).toBe('10.0.0.1');
  });
});

describe('normalizeAddress', () => {
  it('counts IPv6 per /64 and keeps IPv4 as it is', () => {
    expect(normalizeAddress('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(normalizeAddress('2001:0DB8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(normalizeAddress('::1')).toBe('0:0:0:0::/64');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(normalizeAddress('192.0.2.1')).toBe('192.0.2.1');
  });
});
