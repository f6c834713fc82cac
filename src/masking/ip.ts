// IP addresses for `generalize` (IPv4 to its /24, IPv6 to its /48) and for shaping digests as documentation IPv6.
import { isIP } from 'node:net';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** A plain dotted IPv4 address, as node:net's isIP accepts it (no leading zeros), octets captured but the last. */
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$`);

/** The network of an address: `192.168.1.77` -> `192.168.1.0`, `2001:db8:1:2::5` -> `2001:db8:1::`; undefined if not an IP. */
export function generalizeIp(text: string): string | undefined {
  // The common case in one regular expression: a sweep generalizes millions of plain IPv4 addresses.
  const v4 = IPV4.exec(text);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  const address = text.trim().replace(/\/\d+$/, ''); // an inet may carry a prefix length
  const version = isIP(address);
  if (version === 4) return ipv4Network(address);
  if (version !== 6) return undefined;
  const groups = expandIpv6(address.replace(/%.*$/, ''));
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return `::ffff:${ipv4Network(ipv4FromGroups(groups[6], groups[7]))}`;
  return compressIpv6([groups[0], groups[1], groups[2], 0, 0, 0, 0, 0]);
}

function ipv4Network(address: string): string {
  return address.split('.').slice(0, 3).map(Number).join('.') + '.0';
}

function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 folded in). */
export function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  if (tail === undefined) return left;
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (2+) of zero groups as `::`. */
export function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
