// Address classification against the IANA special-purpose registries, written out here independently of the
// library that implements it, and against every IPv6 form that carries an IPv4 address.
import test from 'ava';
import ipaddr from 'ipaddr.js';
import { inCidr, internalReason, parseAddress, parseCidr } from './addresses.ts';

const address = (text: string) => {
  const parsed = parseAddress(text);
  if (parsed === undefined) throw new Error(`${text} is not an address`);
  return parsed;
};

/** The first and the last address of a range, and one in the middle. */
const samples = (cidr: string): string[] => {
  const [network, prefix] = ipaddr.parseCIDR(cidr);
  const bytes = network.toByteArray();
  const hostBits = bytes.length * 8 - prefix;
  const withHostBits = (fill: (bit: number) => boolean) =>
    ipaddr
      .fromByteArray(
        bytes.map((byte, index) => {
          let value = byte;
          for (let bit = 0; bit < 8; bit++) {
            const position = index * 8 + bit;
            if (position >= prefix && fill(position - prefix)) value |= 0x80 >> bit;
          }
          return value;
        }),
      )
      .toString();
  return [...new Set([withHostBits(() => false), withHostBits((bit) => bit === hostBits - 1 || bit % 3 === 1), withHostBits(() => true)])];
};

// IANA IPv4 Special-Purpose Address Registry, every entry; multicast from its own registry.
const ipv4Registry = [
  '0.0.0.0/8',
  '0.0.0.0/32',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.0.0/29',
  '192.0.0.8/32',
  '192.0.0.9/32',
  '192.0.0.10/32',
  '192.0.0.170/32',
  '192.0.0.171/32',
  '192.0.2.0/24',
  '192.31.196.0/24',
  '192.52.193.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '192.175.48.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '240.0.0.0/4',
  '255.255.255.255/32',
  '224.0.0.0/4',
];

// IANA IPv6 Special-Purpose Address Registry, every entry that does not carry an IPv4 address (those are
// below); multicast and the deprecated site-local prefix too.
const ipv6Registry = [
  '::1/128',
  '::/128',
  '64:ff9b:1::/48',
  '100::/64',
  '100:0:0:1::/64',
  '2001::/23',
  '2001::/32',
  '2001:1::1/128',
  '2001:1::2/128',
  '2001:1::3/128',
  '2001:2::/48',
  '2001:3::/32',
  '2001:4:112::/48',
  '2001:10::/28',
  '2001:20::/28',
  '2001:30::/28',
  '2001:db8::/32',
  '2620:4f:8000::/48',
  '3fff::/20',
  '5f00::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

test('every address of the IANA special-purpose registries is refused', (t) => {
  for (const cidr of [...ipv4Registry, ...ipv6Registry])
    for (const sample of samples(cidr)) t.not(internalReason(address(sample)), undefined, `${sample} (in ${cidr}) must be refused`);
});

test('ordinary public unicast addresses pass', (t) => {
  for (const open of [
    '93.184.216.34',
    '8.8.8.8',
    '1.1.1.1',
    '192.0.1.1',
    '198.20.0.1',
    '2606:2800:220:1:248:1893:25c8:1946',
    '2a00:1450:4001:80b::200e',
  ])
    t.is(internalReason(address(open)), undefined, open);
  t.is(internalReason(address('4000::1')), 'not a global unicast address', 'IPv6 outside 2000::/3 is unassigned');
});

const internal = {
  '127.0.0.1': /loopback/,
  '10.0.0.1': /private/,
  '172.16.5.4': /private/,
  '192.168.1.1': /private/,
  '169.254.169.254': /link-local/,
  '100.100.100.200': /carrier-grade NAT/,
  '0.0.0.0': /this network/,
} as const;

const hex = (v4: string) => {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
};
const inverted = (v4: string) => hex(v4).map((group) => (~parseInt(group, 16) & 0xffff).toString(16));

/** Every IPv6 spelling that carries `v4`, by form. */
const embeddingsOf = (v4: string): Record<string, string[]> => {
  const [high, low] = hex(v4);
  return {
    mapped: [`::ffff:${v4}`, `::ffff:${high}:${low}`, `0:0:0:0:0:ffff:${high}:${low}`],
    translated: [`::ffff:0:${v4}`, `::ffff:0:${high}:${low}`],
    'NAT64 well-known': [`64:ff9b::${v4}`, `64:ff9b::${high}:${low}`],
    'NAT64 local-use': [`64:ff9b:1::${v4}`, `64:ff9b:1::${high}:${low}`],
    '6to4': [`2002:${high}:${low}::1`, `2002:${high}:${low}:1234::abcd`],
    'Teredo (client)': [`2001:0:4136:e378:8000:63bf:${inverted(v4).join(':')}`],
    'Teredo (server)': [`2001:0:${high}:${low}:8000:63bf:3fff:fdd2`],
    'IPv4-compatible': [`::${v4}`, `::${high}:${low}`],
  };
};

test('every IPv6 form that carries an internal IPv4 address is refused, in every spelling', (t) => {
  for (const [v4, reason] of Object.entries(internal))
    for (const [form, spellings] of Object.entries(embeddingsOf(v4)))
      for (const spelling of spellings) {
        const refused = internalReason(address(spelling));
        t.not(refused, undefined, `${spelling} (${form} of ${v4}) must be refused`);
        // A Teredo server part or an all-zero IPv4-compatible address is refused as what it is; the others
        // name the address they carry.
        if (!['Teredo (server)', 'IPv4-compatible'].includes(form) || v4 !== '0.0.0.0')
          t.regex(refused ?? '', reason, `${spelling} (${form} of ${v4})`);
      }
});

test('forms that carry a public IPv4 address are judged by it; local-use NAT64, Teredo and IPv4-compatible never pass', (t) => {
  const forms = embeddingsOf('93.184.216.34');
  for (const form of ['mapped', 'translated', 'NAT64 well-known', '6to4'])
    for (const spelling of forms[form]!) t.is(internalReason(address(spelling)), undefined, `${spelling} (${form})`);
  for (const form of ['NAT64 local-use', 'Teredo (client)', 'IPv4-compatible'])
    for (const spelling of forms[form]!) t.not(internalReason(address(spelling)), undefined, `${spelling} (${form})`);
});

test('the two forms of the defect: IPv4-translated and local-use NAT64 loopback', (t) => {
  t.regex(internalReason(address('::ffff:0:7f00:1')) ?? '', /IPv4-translated address carrying 127\.0\.0\.1, a loopback address/);
  t.regex(
    internalReason(address('64:ff9b:1::7f00:1')) ?? '',
    /local-use NAT64 address \(RFC 8215\) carrying 127\.0\.0\.1, a loopback address/,
  );
});

test('addresses are parsed strictly: dotted decimal IPv4, IPv6 with brackets or a zone; anything else is a host name', (t) => {
  t.is(parseAddress('127.0.0.1')?.toString(), '127.0.0.1');
  t.is(parseAddress('[::1]')?.toString(), '::1');
  t.is(parseAddress('fe80::1%eth0')?.range(), 'linkLocal');
  t.is(parseAddress('::10.0.0.1')?.toString(), '::a00:1', 'IPv4-compatible stays IPv4-compatible, not mapped');
  for (const name of ['example.com', '0x7f.1', '2130706433', '127.1', '1.2.3.4.5', '::ffff:0x7f.1', '', '[]'])
    t.is(parseAddress(name), undefined, name);
});

test('allow-list ranges match their own family only', (t) => {
  const loopback = parseCidr('127.0.0.0/8')!;
  t.true(inCidr(address('127.3.2.1'), loopback));
  t.false(inCidr(address('::ffff:127.0.0.1'), loopback), 'a mapped address is not allowed by an IPv4 range');
  t.true(inCidr(address('fd00::5'), parseCidr('fc00::/7')!));
  t.like(parseCidr('10.1.2.3'), { prefix: 32 });
  for (const bad of ['10.0.0.0/33', '10.0.0.0/x', '10.0.0.0/8/1', 'example.com/8', '::/129']) t.is(parseCidr(bad), undefined, bad);
});
