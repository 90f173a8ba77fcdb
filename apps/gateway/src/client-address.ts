/**
 * The address a socket is counted under, for the per-address socket cap and presence. Behind a
 * proxy every socket comes from the proxy, so the operator may name the header the proxy appends
 * the real peer to (GATEWAY_CLIENT_ADDRESS_HEADER, e.g. x-forwarded-for): its LAST entry is used,
 * the one the trusted proxy wrote; entries before it are the caller's to forge. IPv6 peers are
 * counted per /64, the block one subscriber usually holds, or every socket could take a new one.
 */
import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Longest header value looked at: a forged megabyte-long x-forwarded-for is not parsed. */
const MAX_HEADER_CHARS = 4096;

export function clientAddressOf(req: IncomingMessage, header: string | undefined): string {
  if (header !== undefined) {
    const raw = req.headers[header];
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined && value.length <= MAX_HEADER_CHARS) {
      const last = value.slice(value.lastIndexOf(',') + 1).trim();
      if (last !== '') return normalizeAddress(last);
    }
  }
  return normalizeAddress(req.socket.remoteAddress ?? 'unknown');
}

/** `::ffff:1.2.3.4` -> `1.2.3.4`; an IPv6 address -> its /64 (`2001:db8:1:2::/64`). */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros. */
function expandIPv6(address: string): string[] {
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  const [head = '', tail] = bare.split('::', 2);
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => (g.includes('.') ? g : g.toLowerCase().replace(/^0+(?=.)/, '')));
}
