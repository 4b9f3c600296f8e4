// The endpoints API: every route needs an API key with the client role (its own endpoints) or admin (all).
// `webhookRouter` is mounted by the all-in-one platform; `createWebhookApiApp` serves it alone.
import Router from '@koa/router';
import { authenticate, createHttpApp } from '@meridian/http';
import type Koa from 'koa';
import { deliveryRoutes } from './delivery-routes.ts';
import { deliveryLog } from './deliveries.ts';
import type { WebhookApiDeps, WebhookState } from './deps.ts';
import { endpointRoutes } from './endpoint-routes.ts';
import { endpointStore } from './endpoints.ts';
import { ensureWebhookApiCollections } from './indexes.ts';
import { webhookApiOpenApi } from './openapi.ts';

export const webhookRouter = (deps: WebhookApiDeps): Router<WebhookState> => {
  const router = new Router<WebhookState>();
  // The collections and their indexes are prepared once, before the first request is answered.
  const ready = ensureWebhookApiCollections(deps.documents);
  ready.catch((error: unknown) => deps.logger.error('the webhook collections could not be prepared', { error }));
  router.use(authenticate(deps.findPrincipal));
  router.use(async (_ctx, next) => {
    await ready;
    await next();
  });
  const parts = {
    deps,
    endpoints: endpointStore(deps.documents),
    deliveries: deliveryLog(deps.documents),
    now: deps.now ?? (() => new Date()),
  };
  endpointRoutes(router, parts);
  deliveryRoutes(router, parts);
  return router;
};

/** The endpoints API alone (its own process, or tests), on the HTTP skeleton. */
export const createWebhookApiApp = (deps: WebhookApiDeps): Koa =>
  createHttpApp({ logger: deps.logger, health: () => ({ status: 'ok' }), openapi: webhookApiOpenApi, routers: [webhookRouter(deps)] });
