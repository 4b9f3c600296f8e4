import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { checkDestination, createCheckDestination, type DestinationPolicy, type Resolve } from './destinations.ts';

const strict: DestinationPolicy = { allowHttp: false, allow: [] };
const development: DestinationPolicy = { allowHttp: true, allow: ['127.0.0.1/32'] };

/** A resolver with fixed answers, as DNS could give them. */
const resolver =
  (table: Readonly<Record<string, readonly string[]>>): Resolve =>
  async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const check = createCheckDestination(
  resolver({
    'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'metadata.example.com': ['169.254.169.254'],
    'mixed.example.com': ['93.184.216.34', '10.1.2.3'],
    'rebind.example.com': ['127.0.0.1'],
    'v6-private.example.com': ['fd12:3456::1'],
    'dev.internal': ['10.9.9.9'],
  }),
);

const refusedBy = async (t: import('ava').ExecutionContext, url: string, policy: DestinationPolicy, pattern: RegExp, using = check) => {
  const result = await using(url, policy);
  t.true(E.isLeft(result), `${url} must be refused`);
  if (E.isLeft(result)) t.regex(result.left, pattern, url);
};

test('a public https destination passes, with every address it resolves to', async (t) => {
  const result = await check('https://hooks.example.com/meridian?x=1', strict);
  t.true(E.isRight(result));
  if (E.isRight(result)) {
    t.is(result.right.url.hostname, 'hooks.example.com');
    t.deepEqual(result.right.addresses, ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
  }
});

test('internal addresses are refused, literal or resolved, in every spelling', async (t) => {
  await refusedBy(t, 'https://169.254.169.254/latest/meta-data', strict, /link-local/);
  await refusedBy(t, 'https://metadata.example.com/', strict, /metadata\.example\.com resolves to 169\.254\.169\.254, a link-local/);
  await refusedBy(t, 'https://10.0.0.1/', strict, /private/);
  await refusedBy(t, 'https://172.20.1.1/', strict, /private/);
  await refusedBy(t, 'https://192.168.1.10/', strict, /private/);
  await refusedBy(t, 'https://100.64.0.1/', strict, /carrier-grade/);
  await refusedBy(t, 'https://0.0.0.0/', strict, /this network/);
  await refusedBy(t, 'https://127.0.0.1:8080/', strict, /loopback/);
  await refusedBy(t, 'https://[::1]/', strict, /loopback/);
  await refusedBy(t, 'https://[::]/', strict, /unspecified/);
  await refusedBy(t, 'https://[fe80::1]/', strict, /link-local/);
  await refusedBy(t, 'https://v6-private.example.com/', strict, /unique-local/);
  await refusedBy(t, 'https://[::ffff:169.254.169.254]/', strict, /link-local/);
  await refusedBy(t, 'https://[::ffff:10.0.0.1]/', strict, /private/);
  await refusedBy(t, 'https://[64:ff9b::a9fe:a9fe]/', strict, /link-local/);
  // IPv4-translated (::ffff:0:0/96) and local-use NAT64 (64:ff9b:1::/48) forms of 127.0.0.1.
  await refusedBy(t, 'https://[::ffff:0:7f00:1]/', strict, /IPv4-translated address carrying 127\.0\.0\.1, a loopback/);
  await refusedBy(t, 'https://[64:ff9b:1::7f00:1]/', strict, /local-use NAT64 address \(RFC 8215\) carrying 127\.0\.0\.1, a loopback/);
  await refusedBy(t, 'https://[2002:a9fe:a9fe::1]/', strict, /6to4 address carrying 169\.254\.169\.254/);
  await refusedBy(t, 'https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/', strict, /Teredo address carrying 10\.0\.0\.1, a private/);
  await refusedBy(t, 'https://224.0.0.1/', strict, /multicast/);
  await refusedBy(t, 'https://255.255.255.255/', strict, /broadcast/);
  // The URL parser normalises these to 127.0.0.1 and 169.254.169.254 before the check sees them.
  await refusedBy(t, 'https://2130706433/', strict, /loopback/);
  await refusedBy(t, 'https://0xa9.0xfe.0xa9.0xfe/', strict, /link-local/);
});

test('one internal address among public ones refuses the host', async (t) => {
  await refusedBy(t, 'https://mixed.example.com/', strict, /10\.1\.2\.3, a private address/);
});

test('localhost and names resolving to loopback are refused unless allowed', async (t) => {
  await refusedBy(t, 'https://localhost:9999/', strict, /localhost resolves to .*loopback/, checkDestination);
  await refusedBy(t, 'https://rebind.example.com/', strict, /loopback/);
  t.true(E.isRight(await check('http://127.0.0.1:9999/hooks', development)), 'the allow-list admits 127.0.0.1');
  t.true(E.isRight(await check('http://rebind.example.com/', development)), 'by address, whatever the name');
  await refusedBy(t, 'http://10.0.0.1/', development, /private/);
  t.true(E.isRight(await check('https://dev.internal/', { allowHttp: false, allow: ['dev.internal'] })), 'a host allowed by name');
  t.true(E.isRight(await check('https://10.0.0.1/', { allowHttp: false, allow: ['10.0.0.0/8'] })), 'a range allowed by CIDR');
});

test('https is required unless http is allowed; other schemes, credentials and bad URLs are refused', async (t) => {
  await refusedBy(t, 'http://hooks.example.com/', strict, /must use https/);
  t.true(E.isRight(await check('http://hooks.example.com/', { ...strict, allowHttp: true })));
  await refusedBy(t, 'ftp://hooks.example.com/', strict, /https URL/);
  await refusedBy(t, 'file:///etc/passwd', strict, /https URL/);
  await refusedBy(t, 'https://user:pass@hooks.example.com/', strict, /credentials/);
  await refusedBy(t, 'not a url', strict, /not a valid/);
  await refusedBy(t, 'https://nowhere.example.com/', strict, /does not resolve \(ENOTFOUND\)/);
});
