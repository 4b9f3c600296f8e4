// One HTTP app skeleton for every API: the error boundary outermost (every failure leaves as problem+json),
// the request context (correlation, the request's span), the public routes (health, the OpenAPI document, the
// problem type pages), /metrics (for an admin key), then the app's own routers in order. Each app's
// createApp, and the all-in-one local app that mounts every app's routers, are this with their own routers.
import type Router from '@koa/router';
import { telemetry, type Logger } from '@meridian/runtime';
import Koa from 'koa';
import type { Principal } from './auth.ts';
import { errorBoundary, reportStreamErrors } from './error-boundary.ts';
import { metricsRouter } from './metrics-route.ts';
import { publicRouter, type PublicRoutesDeps } from './public-routes.ts';
import { requestContext } from './request-context.ts';

/** What the skeleton needs of a router, whatever the `ctx.state` it types: its routes and allowed methods. */
type Mountable = Pick<Router, 'routes' | 'allowedMethods'>;

export type HttpAppDeps = PublicRoutesDeps & {
  readonly logger: Logger;
  /** Who a bearer key is: GET /metrics answers an admin. */
  readonly findPrincipal: (presented: string) => Principal | undefined;
  /** The app's routers, mounted after the public routes, in this order. */
  readonly routers: readonly Mountable[];
};

export const createHttpApp = ({ logger, routers, findPrincipal, ...publicRoutes }: HttpAppDeps): Koa => {
  // Spans need the SDK: installed here unless the app's main did it first (naming its service).
  telemetry();
  const app = new Koa();
  reportStreamErrors(app, logger);
  app.use(errorBoundary(logger));
  app.use(requestContext());
  for (const router of [publicRouter(publicRoutes), metricsRouter(findPrincipal), ...routers])
    app.use(router.routes()).use(router.allowedMethods());
  return app;
};
