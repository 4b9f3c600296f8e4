// Endpoints: create (the only answer that shows the secret), list, read, update, delete, rotate the secret.
// Secrets are generated here, sealed at once, and never logged; the views show a fingerprint instead.
import type Router from '@koa/router';
import { HttpProblem, problems } from '@meridian/http';
import { randomId } from '@meridian/kernel';
import { newEndpoint, rotatedEndpoint, updatedEndpoint, type EndpointDocument } from '@meridian/webhooks';
import type { Access } from '../storage/endpoint-store.ts';
import {
  checkedUrl,
  decodeBody,
  defaultRotationGraceMs,
  endpointNotFound,
  foundEndpoint,
  whoAsks,
  type RouteParts as Parts,
  type WebhookContext,
  type WebhookState,
} from './deps.ts';
import { clientIdParameter, idParameter, pageParameters } from './parameters.ts';
import { CreateEndpointRequest, RotateSecretRequest, UpdateEndpointRequest } from './requests.ts';
import { endpointView } from './views.ts';

export const endpointsPath = '/v1/webhooks/endpoints';
export const endpointPath = `${endpointsPath}/:endpointId`;

/** A client creates for itself (naming another client is refused); an admin must say for which client. */
const ownerOf = (access: Access, requested: string | undefined): string => {
  if (access.kind === 'own') {
    if (requested !== undefined && requested !== access.clientId)
      throw new HttpProblem(problems.forbidden(`a client key may only create endpoints for its own client (${access.clientId})`));
    return access.clientId;
  }
  if (requested === undefined)
    throw new HttpProblem(
      problems.invalidRequest([
        { pointer: '#/clientId', detail: 'is required with an admin key: the client whose parcel events the endpoint receives' },
      ]),
    );
  return requested;
};

/** An answer holding a plaintext secret: shown once, so no cache may keep it. */
const withSecret = (ctx: WebhookContext, parts: Parts, endpoint: EndpointDocument, secret: string) => {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { endpoint: endpointView(parts.deps, endpoint, parts.now()), secret };
};

const create = (parts: Parts) => async (ctx: WebhookContext) => {
  const { deps, endpoints, now } = parts;
  const { actor, access } = whoAsks(ctx);
  const request = await decodeBody(ctx, CreateEndpointRequest);
  const clientId = ownerOf(access, request.clientId);
  const url = await checkedUrl(deps, request.url);
  const at = now();
  const secret = deps.secrets.generate();
  const endpoint = newEndpoint({
    endpointId: randomId(),
    clientId,
    url,
    eventTypes: request.eventTypes,
    description: request.description,
    enabled: request.enabled,
    secret: deps.secrets.seal(secret, at),
    principalId: actor.principalId,
    now: at,
  });
  await endpoints.insert(endpoint);
  deps.logger.info('webhook endpoint created', {
    endpointId: endpoint.endpointId,
    clientId,
    principalId: actor.principalId,
    eventTypes: endpoint.eventTypes,
  });
  ctx.status = 201;
  ctx.set('Location', `${endpointsPath}/${endpoint.endpointId}`);
  withSecret(ctx, parts, endpoint, secret);
};

const list =
  ({ deps, endpoints, now }: Parts) =>
  async (ctx: WebhookContext) => {
    const { access } = whoAsks(ctx);
    const clientId = clientIdParameter(ctx.query);
    if (access.kind === 'own' && clientId !== undefined && clientId !== access.clientId)
      throw new HttpProblem(problems.forbidden('a client key may only list its own endpoints'));
    const page = await endpoints.list(access, { ...pageParameters(ctx.query), ...(clientId !== undefined && { clientId }) });
    const at = now();
    ctx.body = { items: page.endpoints.map((endpoint) => endpointView(deps, endpoint, at)), next: page.next ?? null };
  };

const read =
  ({ deps, endpoints, now }: Parts) =>
  async (ctx: WebhookContext) => {
    const { access } = whoAsks(ctx);
    ctx.body = endpointView(deps, await foundEndpoint(endpoints, access, idParameter('endpointId', ctx.params['endpointId'])), now());
  };

const update =
  ({ deps, endpoints, now }: Parts) =>
  async (ctx: WebhookContext) => {
    const { actor, access } = whoAsks(ctx);
    const endpointId = idParameter('endpointId', ctx.params['endpointId']);
    // Found before the URL is checked: a client probing another's endpoint learns nothing, not even the check's verdict.
    await foundEndpoint(endpoints, access, endpointId);
    const request = await decodeBody(ctx, UpdateEndpointRequest);
    const change = request.url === undefined ? request : { ...request, url: await checkedUrl(deps, request.url) };
    const updated = await endpoints.change(access, endpointId, (current) => updatedEndpoint(current, change, now()));
    if (updated === undefined) throw endpointNotFound(endpointId);
    deps.logger.info('webhook endpoint updated', {
      endpointId,
      clientId: updated.clientId,
      principalId: actor.principalId,
      fields: Object.keys(request),
    });
    ctx.body = endpointView(deps, updated, now());
  };

/**
 * The endpoint goes first, in one transaction, so the dispatcher stops at once (it skips deliveries of
 * an endpoint that does not exist); then its delivery log, page by page. A crash in between leaves
 * deliveries of no endpoint, which nothing reads or sends.
 */
const remove =
  ({ deps, endpoints, deliveries }: Parts) =>
  async (ctx: WebhookContext) => {
    const { actor, access } = whoAsks(ctx);
    const endpointId = idParameter('endpointId', ctx.params['endpointId']);
    const removed = await endpoints.remove(access, endpointId);
    if (removed === undefined) throw endpointNotFound(endpointId);
    const deliveriesRemoved = await deliveries.removeAll(endpointId);
    deps.logger.info('webhook endpoint deleted', {
      endpointId,
      clientId: removed.clientId,
      principalId: actor.principalId,
      deliveriesRemoved,
    });
    ctx.status = 204;
  };

const rotateSecret = (parts: Parts) => async (ctx: WebhookContext) => {
  const { deps, endpoints, now } = parts;
  const { actor, access } = whoAsks(ctx);
  const endpointId = idParameter('endpointId', ctx.params['endpointId']);
  await foundEndpoint(endpoints, access, endpointId);
  const request = await decodeBody(ctx, RotateSecretRequest, { optional: true });
  const graceMs =
    request.gracePeriodSeconds === undefined ? (deps.rotationGraceMs ?? defaultRotationGraceMs) : request.gracePeriodSeconds * 1000;
  const at = now();
  const secret = deps.secrets.generate();
  const sealed = deps.secrets.seal(secret, at);
  const previousExpiresAt = graceMs === 0 ? null : new Date(at.getTime() + graceMs).toISOString();
  const rotated = await endpoints.change(access, endpointId, (current) => rotatedEndpoint(current, sealed, previousExpiresAt, at));
  if (rotated === undefined) throw endpointNotFound(endpointId);
  deps.logger.info('webhook secret rotated', { endpointId, clientId: rotated.clientId, principalId: actor.principalId, previousExpiresAt });
  withSecret(ctx, parts, rotated, secret);
};

export const endpointRoutes = (router: Router<WebhookState>, parts: Parts): void => {
  router.post(endpointsPath, create(parts));
  router.get(endpointsPath, list(parts));
  router.get(endpointPath, read(parts));
  router.patch(endpointPath, update(parts));
  router.delete(endpointPath, remove(parts));
  router.post(`${endpointPath}/secret/rotate`, rotateSecret(parts));
};
