// IP addresses as bytes, CIDR ranges, and the ranges a webhook must never reach: anything that is not
// the public internet. IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4, compatible) are judged
// by the IPv4 address inside, so `[::ffff:169.254.169.254]` is as refused as `169.254.169.254`.
import { isIPv4, isIPv6 } from 'node:net';

export type Address = { readonly family: 4 | 6; readonly bytes: Uint8Array };
export type Cidr = Address & { readonly prefix: number };

const parseIpv4 = (text: string): Uint8Array | undefined => (isIPv4(text) ? Uint8Array.from(text.split('.').map(Number)) : undefined);

const parseIpv6 = (text: string): Uint8Array | undefined => {
  const bare = text.split('%')[0] ?? '';
  if (!isIPv6(bare)) return undefined;
  // A trailing dotted IPv4 becomes two groups.
  const lastColon = bare.lastIndexOf(':');
  const tail = bare.slice(lastColon + 1);
  const v4 = tail.includes('.') ? parseIpv4(tail) : undefined;
  const hex = v4 === undefined ? bare : `${bare.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  const [head = '', rest] = hex.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groupsOf(head);
  const right = rest === undefined ? [] : groupsOf(rest);
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
};

/** An IPv4 or IPv6 address (brackets and zone ids allowed), or undefined for anything else (a host name). */
export const parseAddress = (text: string): Address | undefined => {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseIpv4(unbracketed);
  if (v4 !== undefined) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(unbracketed);
  return v6 === undefined ? undefined : { family: 6, bytes: v6 };
};

/** `10.0.0.0/8`, `fe80::/10`, or a bare address (a /32 or /128). */
export const parseCidr = (text: string): Cidr | undefined => {
  const [ip = '', prefixText, extra] = text.trim().split('/');
  const address = parseAddress(ip);
  if (address === undefined || extra !== undefined) return undefined;
  const max = address.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  return Number.isInteger(prefix) && prefix >= 0 && prefix <= max ? { ...address, prefix } : undefined;
};

export const inCidr = (address: Address, cidr: Cidr): boolean => {
  if (address.family !== cidr.family) return false;
  for (let bit = 0; bit < cidr.prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if (((address.bytes[bit >> 3] ?? 0) & mask) !== ((cidr.bytes[bit >> 3] ?? 0) & mask)) return false;
  }
  return true;
};

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`bad built-in range ${text}`);
  return parsed;
};

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((byte, index) => bytes[index] === byte);

/** The IPv4 address an IPv6 address stands for, if it is one of the forms that embed one. */
export const embeddedIpv4 = (address: Address): Address | undefined => {
  if (address.family !== 6) return undefined;
  const b = address.bytes;
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated), 64:ff9b::a.b.c.d (NAT64): last 4 bytes.
  if ((zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) || (zeros(0, 12) && !zeros(12, 16)) || (startsWith(b, [0x00, 0x64, 0xff, 0x9b]) && zeros(4, 12)))
    return { family: 4, bytes: b.slice(12, 16) };
  // 2002:a.b.c.d::/48 (6to4): bytes 2-5.
  if (startsWith(b, [0x20, 0x02])) return { family: 4, bytes: b.slice(2, 6) };
  return undefined;
};

/** Not the public internet: where a webhook must not go unless configuration allows it. */
export const internalRanges: readonly { readonly range: Cidr; readonly name: string }[] = [
  ['0.0.0.0/8', 'the "this network" range'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'an IETF protocol address'],
  ['192.0.2.0/24', 'a documentation address'],
  ['192.88.99.0/24', 'a 6to4 relay address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address (broadcast included)'],
  ['::/128', 'the unspecified address'],
  ['::1/128', 'a loopback address'],
  ['100::/64', 'a discard address'],
  ['2001::/23', 'an IETF protocol address'],
  ['2001:db8::/32', 'a documentation address'],
  ['fc00::/7', 'a unique-local address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address'],
  ['ff00::/8', 'a multicast address'],
].map(([range, name]) => ({ range: cidr(range!), name: name! }));

/** Why the address is internal, or undefined when it is a public one. */
export const internalReason = (address: Address): string | undefined => {
  const direct = internalRanges.find(({ range }) => inCidr(address, range))?.name;
  if (direct !== undefined) return direct;
  const inside = embeddedIpv4(address);
  return inside === undefined ? undefined : internalReason(inside);
};

export const formatAddress = (address: Address): string =>
  address.family === 4
    ? [...address.bytes].join('.')
    : Array.from({ length: 8 }, (_, i) => (((address.bytes[i * 2] ?? 0) << 8) | (address.bytes[i * 2 + 1] ?? 0)).toString(16)).join(':');
