// Bearer API keys mapped to principals with roles; a client principal is bound to one clientId.
import { arrayOf, described, Identifier, oneOf, roles, struct, withSchema, type Actor, type Role } from '@meridian/kernel';
import type { Middleware } from 'koa';
import { createHash } from 'node:crypto';
import * as t from 'io-ts';
import { HttpProblem, problems } from './problem.ts';

const Secret = described(
  t.refinement(t.string, (s) => s.length >= 16 && s.length <= 256 && /^[\x21-\x7e]+$/.test(s), 'Secret'),
  'must be 16 to 256 printable characters without spaces',
);

const ApiKeyFields = struct(
  'ApiKey',
  { key: Secret, principal: Identifier, roles: arrayOf(oneOf('Role', [...roles]), { min: 1, max: roles.length }) },
  { clientId: Identifier },
);

/** One entry of MERIDIAN_API_KEYS: `{"key", "principal", "roles": [...], "clientId"?}`. */
export const ApiKey = withSchema(
  new t.Type<t.TypeOf<typeof ApiKeyFields>, unknown, unknown>(
    'ApiKey',
    ApiKeyFields.is,
    (u, context) => {
      const decoded = ApiKeyFields.validate(u, context);
      if (decoded._tag === 'Right' && decoded.right.roles.includes('client') && decoded.right.clientId === undefined)
        return t.failure(u, context, 'a key with the client role needs a clientId');
      return decoded;
    },
    ApiKeyFields.encode,
  ),
  {},
);
export type ApiKey = t.TypeOf<typeof ApiKey>;

const ApiKeyList = arrayOf(ApiKey, { min: 1, max: 10_000, name: 'ApiKeys' });

/** Each entry listing a key an earlier entry already listed, with the index of that earlier entry. */
const repeatedKeys = (keys: readonly ApiKey[]): { readonly index: number; readonly first: number }[] => {
  const firstIndex = new Map<string, number>();
  return keys.flatMap((entry, index) => {
    const first = firstIndex.get(entry.key);
    if (first === undefined) firstIndex.set(entry.key, index);
    return first === undefined ? [] : [{ index, first }];
  });
};

/**
 * MERIDIAN_API_KEYS: the entries, each key listed once. A key listed twice would have the roles of
 * whichever entry came last (a client key could silently become an admin one), so it is refused, naming
 * both entries by index and never the key.
 */
export const ApiKeys = new t.Type<readonly ApiKey[], unknown, unknown>(
  'ApiKeys',
  (u): u is readonly ApiKey[] => ApiKeyList.is(u) && repeatedKeys(u).length === 0,
  (u, context) => {
    const decoded = ApiKeyList.validate(u, context);
    if (decoded._tag === 'Left') return decoded;
    const repeated = repeatedKeys(decoded.right);
    if (repeated.length === 0) return decoded;
    return t.failures(
      repeated.map(({ index, first }) => ({
        value: '(hidden)',
        context: [...context, { key: String(index), type: ApiKey, actual: '(hidden)' }, { key: 'key', type: t.string, actual: '(hidden)' }],
        message: `is the same key as entry ${first}: list each key once`,
      })),
    );
  },
  ApiKeyList.encode,
);

export type Principal = {
  readonly id: string;
  readonly roles: readonly Role[];
  readonly clientId?: string;
};

const digest = (key: string) => createHash('sha256').update(key).digest();

/**
 * Finds the principal of a presented key. Keys are kept only as SHA-256 hashes and looked up by the hash
 * of what was presented: a timing difference in the lookup can reveal bits of a hash, never of a key.
 */
export const keyring = (keys: readonly ApiKey[]): ((presented: string) => Principal | undefined) => {
  const byHash = new Map(
    keys.map((k) => [
      digest(k.key).toString('hex'),
      { id: k.principal, roles: k.roles, ...(k.clientId !== undefined && { clientId: k.clientId }) },
    ]),
  );
  return (presented) => byHash.get(digest(presented).toString('hex'));
};

export type AuthState = { principal: Principal };

export const authenticate =
  (find: (presented: string) => Principal | undefined): Middleware<Partial<AuthState>> =>
  async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match?.[1] === undefined ? undefined : find(match[1]);
    if (principal === undefined)
      throw new HttpProblem(problems.unauthenticated(header === '' ? undefined : 'the API key is not valid'), {
        'WWW-Authenticate': 'Bearer realm="meridian"',
      });
    ctx.state.principal = principal;
    await next();
  };

/** The actor for an action allowed to `allowed` roles: the principal's first role that is allowed. */
export const actorFor = (principal: Principal, allowed: readonly Role[]): Actor | undefined => {
  const role = principal.roles.find((r) => allowed.includes(r));
  if (role === undefined) return undefined;
  return { principalId: principal.id, role, ...(principal.clientId !== undefined && { clientId: principal.clientId }) };
};

export const requireActor = (principal: Principal, allowed: readonly Role[]): Actor => {
  const actor = actorFor(principal, allowed);
  if (actor === undefined) throw new HttpProblem(problems.forbidden(`this needs one of the roles: ${allowed.join(', ')}`));
  return actor;
};
