// Which IP addresses a webhook may reach: only ordinary public unicast ones. Parsing and the special-purpose
// ranges (the IANA IPv4 and IPv6 special-purpose registries, multicast, site-local...) come from ipaddr.js,
// a maintained library, rather than a parser of our own. IPv6 forms that carry an IPv4 address (mapped,
// translated, NAT64, 6to4, Teredo, IPv4-compatible) are judged by the address inside, so
// `[::ffff:169.254.169.254]` and `[64:ff9b:1::a9fe:a9fe]` are as refused as `169.254.169.254`.
import ipaddr from 'ipaddr.js';
import { isIPv6 } from 'node:net';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = { readonly address: Address; readonly prefix: number };

const wordsOf = ({ octets }: ipaddr.IPv4): [number, number] => [(octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!];

/** An IPv4 (dotted decimal only) or IPv6 address, brackets and zone ids allowed; undefined for a host name. */
export const parseAddress = (text: string): Address | undefined => {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // ipaddr.js also reads `0x7f.1` or `2130706433` as IPv4; a host name like that is not an address here
  // (URLs normalise those spellings to dotted decimal before this sees them).
  if (ipaddr.IPv4.isValidFourPartDecimal(unbracketed)) return ipaddr.IPv4.parse(unbracketed);
  if (!isIPv6(unbracketed)) return undefined;
  // ipaddr.js reads the deprecated IPv4-compatible `::a.b.c.d` as the mapped `::ffff:a.b.c.d`: keep it what
  // it is, as its hexadecimal spelling `::a0b:c0d` is.
  const compatible = /^::(\d+\.\d+\.\d+\.\d+)(?:%.*)?$/.exec(unbracketed)?.[1];
  return compatible === undefined
    ? ipaddr.IPv6.parse(unbracketed)
    : new ipaddr.IPv6([0, 0, 0, 0, 0, 0, ...wordsOf(ipaddr.IPv4.parse(compatible))]);
};

/** `10.0.0.0/8`, `fe80::/10`, or a bare address (a /32 or /128). */
export const parseCidr = (text: string): Cidr | undefined => {
  const [ip = '', prefixText, extra] = text.trim().split('/');
  const address = parseAddress(ip);
  if (address === undefined || extra !== undefined) return undefined;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  return Number.isInteger(prefix) && prefix >= 0 && prefix <= max ? { address, prefix } : undefined;
};

/** Whether the address is in the range; an address of the other family never is. */
export const inCidr = (address: Address, { address: network, prefix }: Cidr): boolean =>
  address.kind() === network.kind() && address.match(network, prefix);

const range = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`bad built-in range ${text}`);
  return parsed;
};

const ipv4At = (parts: readonly number[], index: number): ipaddr.IPv4 =>
  new ipaddr.IPv4([(parts[index]! >> 8) & 0xff, parts[index]! & 0xff, (parts[index + 1]! >> 8) & 0xff, parts[index + 1]! & 0xff]);

/**
 * The IPv6 forms that carry IPv4 addresses. `public` says whether such an address may be reached when what
 * it carries is public: the local-use NAT64 prefix is never globally reachable (RFC 8215), Teredo and the
 * deprecated IPv4-compatible form are tunnels no receiver needs.
 */
const embeddings: readonly {
  readonly name: string;
  readonly range: Cidr;
  readonly carried: (parts: readonly number[]) => readonly ipaddr.IPv4[];
  readonly public: boolean;
}[] = [
  { name: 'an IPv4-mapped address', range: range('::ffff:0:0/96'), carried: (p) => [ipv4At(p, 6)], public: true },
  { name: 'an IPv4-translated address', range: range('::ffff:0:0:0/96'), carried: (p) => [ipv4At(p, 6)], public: true },
  { name: 'a NAT64 address', range: range('64:ff9b::/96'), carried: (p) => [ipv4At(p, 6)], public: true },
  // A network may place the IPv4 address anywhere RFC 6052 allows under this prefix; the /96 layout is
  // checked for a precise reason, and the whole prefix is refused anyway.
  { name: 'a local-use NAT64 address (RFC 8215)', range: range('64:ff9b:1::/48'), carried: (p) => [ipv4At(p, 6)], public: false },
  { name: 'a 6to4 address', range: range('2002::/16'), carried: (p) => [ipv4At(p, 1)], public: true },
  // Teredo: the server's address, then the client's, inverted (RFC 4380).
  {
    name: 'a Teredo address',
    range: range('2001::/32'),
    carried: (p) => [
      ipv4At(p, 2),
      ipv4At(
        p.map((part) => ~part & 0xffff),
        6,
      ),
    ],
    public: false,
  },
  // ::/96 holds :: and ::1 too; those are judged first, as themselves.
  { name: 'an IPv4-compatible address (deprecated)', range: range('::/96'), carried: (p) => [ipv4At(p, 6)], public: false },
];

/** What each of ipaddr.js's range names means to a reader of a refusal. */
const rangeNames: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified ("this network") address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (cloud metadata lives here)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  reserved: 'a reserved, documentation or IETF protocol address',
  as112: 'an AS112 anycast address',
  amt: 'an AMT anycast address',
  uniqueLocal: 'a unique-local address',
  deprecatedSiteLocal: 'a site-local address',
  discard: 'a discard address',
  benchmarking: 'a benchmarking address',
  as112v6: 'an AS112 anycast address',
  deprecatedOrchid: 'an ORCHID address',
  orchid2: 'an ORCHID address',
  droneRemoteIdProtocolEntityTags: 'a drone remote ID address',
  segmentRouting: 'a segment routing address',
};

/** IANA allocates global unicast IPv6 from 2000::/3 only; anything else that is not special is unassigned. */
const globalUnicast = range('2000::/3');

/** Why the address is not a public one, or undefined when it is. */
export const internalReason = (address: Address): string | undefined => {
  const name = address.range();
  if (address instanceof ipaddr.IPv6 && (name === 'unspecified' || name === 'loopback')) return rangeNames[name];
  const embedding = address instanceof ipaddr.IPv6 ? embeddings.find((candidate) => inCidr(address, candidate.range)) : undefined;
  if (embedding !== undefined && address instanceof ipaddr.IPv6) {
    for (const carried of embedding.carried(address.parts)) {
      const reason = internalReason(carried);
      if (reason !== undefined) return `${embedding.name} carrying ${carried.toString()}, ${reason}`;
    }
    return embedding.public ? undefined : embedding.name;
  }
  if (name !== 'unicast') return rangeNames[name] ?? `a special-purpose address (${name})`;
  if (address instanceof ipaddr.IPv6 && !inCidr(address, globalUnicast)) return 'not a global unicast address';
  return undefined;
};

export const formatAddress = (address: Address): string => address.toString();
