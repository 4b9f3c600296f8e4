// An endpoint's delivery log, and what the client may ask the webhook service to do about it:
// a test event, a redelivery of one message, a replay (or backfill) from a log position or a time.
import type Router from '@koa/router';
import { HttpProblem, problems } from '@meridian/http';
import { decodeBody, foundEndpoint, requireEnabled, whoAsks, type RouteParts, type WebhookContext, type WebhookState } from './deps.ts';
import { endpointPath } from './endpoint-routes.ts';
import { eventTypeParameter, idParameter, pageParameters, statusParameter } from './parameters.ts';
import { EmptyRequest, ReplayRequest } from './requests.ts';
import { deliverySummary, deliveryView } from './views.ts';

export const deliveriesPath = `${endpointPath}/deliveries`;
export const deliveryPath = `${deliveriesPath}/:webhookId`;

const deliveryNotFound = (webhookId: string) =>
  new HttpProblem(problems.notFound(`delivery ${webhookId} does not exist for this endpoint`));

/** The endpoint of the path, if the principal sees it. */
const endpointOf = (parts: RouteParts, ctx: WebhookContext) =>
  foundEndpoint(parts.endpoints, whoAsks(ctx).access, idParameter('endpointId', ctx.params['endpointId']));

const sendTest = (parts: RouteParts) => async (ctx: WebhookContext) => {
  const endpoint = await endpointOf(parts, ctx);
  await decodeBody(ctx, EmptyRequest, { optional: true });
  const delivery = await parts.deps.operations.sendTest(requireEnabled(endpoint));
  ctx.status = 202;
  ctx.set('Location', `${endpointPath.replace(':endpointId', endpoint.endpointId)}/deliveries/${delivery.webhookId}`);
  ctx.body = deliveryView(delivery);
};

const list = (parts: RouteParts) => async (ctx: WebhookContext) => {
  const endpoint = await endpointOf(parts, ctx);
  const status = statusParameter(ctx.query);
  const eventType = eventTypeParameter(ctx.query);
  const page = await parts.deliveries.list(endpoint.endpointId, {
    ...pageParameters(ctx.query),
    ...(status !== undefined && { status }),
    ...(eventType !== undefined && { eventType }),
  });
  ctx.body = { items: page.deliveries.map(deliverySummary), next: page.next ?? null };
};

const read = (parts: RouteParts) => async (ctx: WebhookContext) => {
  const endpoint = await endpointOf(parts, ctx);
  const webhookId = idParameter('webhookId', ctx.params['webhookId']);
  const delivery = await parts.deliveries.byId(endpoint.endpointId, webhookId);
  if (delivery === undefined) throw deliveryNotFound(webhookId);
  ctx.body = deliveryView(delivery);
};

const redeliver = (parts: RouteParts) => async (ctx: WebhookContext) => {
  const endpoint = await endpointOf(parts, ctx);
  const webhookId = idParameter('webhookId', ctx.params['webhookId']);
  await decodeBody(ctx, EmptyRequest, { optional: true });
  // The delivery must be this endpoint's: the operation itself knows webhook ids only.
  if ((await parts.deliveries.byId(endpoint.endpointId, webhookId)) === undefined) throw deliveryNotFound(webhookId);
  requireEnabled(endpoint);
  const delivery = await parts.deps.operations.redeliver(webhookId);
  if (delivery === undefined) throw deliveryNotFound(webhookId);
  parts.deps.logger.info('webhook redelivery requested', {
    endpointId: endpoint.endpointId,
    webhookId,
    principalId: ctx.state.principal.id,
  });
  ctx.status = 202;
  ctx.body = deliveryView(delivery);
};

const replay = (parts: RouteParts) => async (ctx: WebhookContext) => {
  const endpoint = await endpointOf(parts, ctx);
  const from = await decodeBody(ctx, ReplayRequest);
  const { replayId, queued } = await parts.deps.operations.replay(requireEnabled(endpoint), from);
  parts.deps.logger.info('webhook replay queued', {
    endpointId: endpoint.endpointId,
    replayId,
    queued,
    from,
    principalId: ctx.state.principal.id,
  });
  ctx.status = 202;
  ctx.body = { replayId, queued };
};

export const deliveryLogRoutes = (router: Router<WebhookState>, parts: RouteParts): void => {
  router.post(`${endpointPath}/test`, sendTest(parts));
  router.get(deliveriesPath, list(parts));
  router.get(deliveryPath, read(parts));
  router.post(`${deliveryPath}/redeliver`, redeliver(parts));
  router.post(`${endpointPath}/replay`, replay(parts));
};
