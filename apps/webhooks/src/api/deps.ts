// What the endpoints API needs, as one deps object, and the steps every route shares: who asks (and what
// they may see), the body decoded, the endpoint found, the URL checked.
import type { RouterContext } from '@koa/router';
import {
  HttpProblem,
  problems,
  readJsonBody,
  requireActor,
  type AuthState,
  type Principal,
  type RequestContextState,
} from '@meridian/http';
import { decodeWith, type Actor, type DocumentStore, type Logger, type Role } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { EndpointDocument } from '@meridian/webhooks';
import type { WebhookOperations } from '../operations/operations.ts';
import type { DeliveryLog } from '../storage/delivery-log.ts';
import type { Access, EndpointStore } from '../storage/endpoint-store.ts';
import type { CheckDestination, DestinationPolicy } from '../transport/destinations.ts';
import type { Secrets } from '../transport/secrets.ts';

export type WebhookApiDeps = {
  readonly documents: DocumentStore;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
  readonly secrets: Secrets;
  readonly checkDestination: CheckDestination;
  readonly policy: DestinationPolicy;
  readonly operations: WebhookOperations;
  readonly now?: () => Date;
  /** How long the previous secret stays valid after a rotation (default 24 h). */
  readonly rotationGraceMs?: number;
};

/** What the route handlers share: the deps, the stores over the documents, and the clock. */
export type RouteParts = {
  readonly deps: WebhookApiDeps;
  readonly endpoints: EndpointStore;
  readonly deliveries: DeliveryLog;
  readonly now: () => Date;
};

export type WebhookState = AuthState & RequestContextState;
export type WebhookContext = RouterContext<WebhookState>;

/** Clients manage their own endpoints; admins everyone's. Other roles have no business with webhooks. */
export const webhookRoles = ['client', 'admin'] as const satisfies readonly Role[];

export const defaultRotationGraceMs = 24 * 3600 * 1000;

const bodyLimit = 64 * 1024;

export const whoAsks = (ctx: WebhookContext): { readonly actor: Actor; readonly access: Access } => {
  const actor = requireActor(ctx.state.principal, webhookRoles);
  if (actor.role === 'admin') return { actor, access: { kind: 'all' } };
  // The key codec requires a clientId with the client role; a key without one must not see everyone's.
  if (actor.clientId === undefined) throw new HttpProblem(problems.forbidden('a client key needs a clientId'));
  return { actor, access: { kind: 'own', clientId: actor.clientId } };
};

export const decodeBody = async <A>(ctx: WebhookContext, codec: t.Decoder<unknown, A>, { optional = false } = {}): Promise<A> => {
  const body = await readJsonBody(ctx, { limit: bodyLimit, emptyAsObject: optional });
  const decoded = decodeWith(codec)(body);
  if (E.isLeft(decoded)) throw new HttpProblem(problems.invalidRequest(decoded.left));
  return decoded.right;
};

export const endpointNotFound = (endpointId: string) => new HttpProblem(problems.notFound(`webhook endpoint ${endpointId} does not exist`));

export const foundEndpoint = async (endpoints: EndpointStore, access: Access, endpointId: string): Promise<EndpointDocument> => {
  const endpoint = await endpoints.read(access, endpointId);
  if (endpoint === undefined) throw endpointNotFound(endpointId);
  return endpoint;
};

/** Deliveries to a disabled endpoint would wait for ever: sending, redelivering and replaying need it enabled. */
export const requireEnabled = (endpoint: EndpointDocument): EndpointDocument => {
  if (endpoint.enabled) return endpoint;
  const why = endpoint.disabledReason === null ? '' : ` (${endpoint.disabledReason})`;
  throw new HttpProblem(
    problems.conflict(
      'endpoint-disabled',
      `webhook endpoint ${endpoint.endpointId} is disabled${why}; enable it first: PATCH {"enabled": true}`,
    ),
  );
};

/** The destination check (SSRF): a refused URL is a 400 at #/url saying why. Returns the URL as checked. */
export const checkedUrl = async (deps: Pick<WebhookApiDeps, 'checkDestination' | 'policy'>, url: string): Promise<string> => {
  const checked = await deps.checkDestination(url, deps.policy);
  if (E.isLeft(checked))
    throw new HttpProblem(problems.invalidRequest([{ pointer: '#/url', detail: checked.left }], 'the endpoint URL may not be called'));
  return checked.right.url.href;
};
