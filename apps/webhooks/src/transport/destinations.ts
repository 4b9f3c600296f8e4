// Where a webhook may go (SSRF protection). A client chooses the URL, so without this check the platform
// would POST, from inside its network, to whatever the URL names: the cloud metadata service
// (169.254.169.254), a database on 10.x, the dispatcher's own admin port on 127.0.0.1.
//
// Every address the host resolves to must be public (or allowed by configuration): one internal address
// among public ones refuses the whole URL, because the connection could pick any of them. The check runs
// at registration and again before each attempt (DNS can change), and the attempt connects only to the
// addresses this check passed (post.ts pins them), so a rebinding between check and connect is harmless.
import * as E from 'fp-ts/lib/Either.js';
import { lookup } from 'node:dns/promises';
import { formatAddress, inCidr, internalReason, parseAddress, parseCidr, type Address, type Cidr } from './addresses.ts';

/** Where a webhook may be sent, from configuration (platform/wiring's webhook settings). */
export type DestinationPolicy = {
  /** http:// is refused unless this is set (development and tests). */
  readonly allowHttp: boolean;
  /** Hosts, IPs or CIDRs allowed even though they are private, loopback or link-local (e.g. 127.0.0.1/32). */
  readonly allow: readonly string[];
};

/** A URL that passed the check, and the addresses it passed with: the only ones an attempt connects to. */
export type CheckedDestination = { readonly url: URL; readonly addresses: readonly string[] };

/** The check, at registration and before each attempt: the destination, or why it is refused. */
export type CheckDestination = (url: string, policy: DestinationPolicy) => Promise<E.Either<string, CheckedDestination>>;

export type ResolvedAddress = { readonly address: string; readonly family: 4 | 6 };

/** Every address a host name resolves to. */
export type Resolve = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolve: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

type Allowance = { readonly hosts: ReadonlySet<string>; readonly ranges: readonly Cidr[] };

const allowanceOf = (policy: DestinationPolicy): Allowance => {
  const ranges: Cidr[] = [];
  const hosts = new Set<string>();
  for (const entry of policy.allow) {
    const range = parseCidr(entry);
    if (range === undefined) hosts.add(entry.trim().toLowerCase());
    else ranges.push(range);
  }
  return { hosts, ranges };
};

const parseUrl = (text: string): E.Either<string, URL> => {
  try {
    return E.right(new URL(text));
  } catch {
    return E.left('is not a valid absolute URL');
  }
};

const checkUrlShape = (url: URL, policy: DestinationPolicy): E.Either<string, string> => {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return E.left(`must be an https URL (not ${url.protocol})`);
  if (url.protocol === 'http:' && !policy.allowHttp) return E.left('must use https');
  if (url.username !== '' || url.password !== '') return E.left('must not carry credentials (user:password@)');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return host === '' ? E.left('has no host') : E.right(host.toLowerCase());
};

const resolveHost = async (host: string, resolve: Resolve): Promise<E.Either<string, readonly string[]>> => {
  if (parseAddress(host) !== undefined) return E.right([host]);
  try {
    const found = await resolve(host);
    return found.length === 0 ? E.left(`${host} resolves to no address`) : E.right(found.map((a) => a.address));
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    return E.left(`${host} does not resolve${typeof code === 'string' ? ` (${code})` : ''}`);
  }
};

/** Why this address may not be reached, or undefined when it may. */
const refusal = (host: string, text: string, allowance: Allowance): string | undefined => {
  const address: Address | undefined = parseAddress(text);
  if (address === undefined) return `${host} resolves to "${text}", which is not an IP address`;
  if (allowance.ranges.some((range) => inCidr(address, range))) return undefined;
  const reason = internalReason(address);
  return reason === undefined
    ? undefined
    : `${host === text ? text : `${host} resolves to ${formatAddress(address)}`}, ${reason}, which webhooks may not reach`;
};

export const createCheckDestination =
  (resolve: Resolve = systemResolve): CheckDestination =>
  async (text, policy) => {
    const url = parseUrl(text);
    if (E.isLeft(url)) return url;
    const host = checkUrlShape(url.right, policy);
    if (E.isLeft(host)) return host;
    const addresses = await resolveHost(host.right, resolve);
    if (E.isLeft(addresses)) return addresses;
    const allowance = allowanceOf(policy);
    // A host allowed by name is trusted whatever it resolves to (a development alias, say).
    if (!allowance.hosts.has(host.right)) {
      const refused = addresses.right.map((address) => refusal(host.right, address, allowance)).find((r) => r !== undefined);
      if (refused !== undefined) return E.left(refused);
    }
    const checked: CheckedDestination = { url: url.right, addresses: addresses.right };
    return E.right(checked);
  };

/** The check with the system resolver. */
export const checkDestination: CheckDestination = createCheckDestination();
