// The endpoints API: every route needs an API key with the client role (its own endpoints) or admin (all).
// `webhookRouter` is mounted by the all-in-one platform; `createWebhookApiApp` serves it alone.
import Router from '@koa/router';
import { authenticate, createHttpApp } from '@meridian/http';
import type Koa from 'koa';
import { ensureWebhookCollections } from '../storage/collections.ts';
import { deliveryLog } from '../storage/delivery-log.ts';
import { endpointStore } from '../storage/endpoint-store.ts';
import { deliveryLogRoutes } from './delivery-log-routes.ts';
import type { WebhookApiDeps, WebhookState } from './deps.ts';
import { endpointRoutes } from './endpoint-routes.ts';
import { webhookApiOpenApi } from './openapi.ts';

export const webhookRouter = (deps: WebhookApiDeps): Router<WebhookState> => {
  const router = new Router<WebhookState>();
  // The collections and their indexes are prepared once, before the first request is answered.
  const ready = ensureWebhookCollections(deps.documents);
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
  deliveryLogRoutes(router, parts);
  return router;
};

/** The endpoints API alone (its own process, or tests), on the HTTP skeleton. */
export const createWebhookApiApp = (deps: WebhookApiDeps): Koa =>
  createHttpApp({
    logger: deps.logger,
    findPrincipal: deps.findPrincipal,
    health: () => ({ status: 'ok' }),
    openapi: webhookApiOpenApi,
    routers: [webhookRouter(deps)],
  });
