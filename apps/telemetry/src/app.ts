// The telemetry API served alone: the error boundary outermost, request context, the public routes, then
// the authenticated telemetry route. The all-in-one local app mounts `telemetryRouter` instead.
import Router from '@koa/router';
import { errorBoundary, reportStreamErrors, requestContext } from '@meridian/http';
import type { Logger } from '@meridian/runtime';
import Koa from 'koa';
import { telemetryOpenApi } from './openapi.ts';
import { telemetryRouter, type TelemetryRouterDeps } from './router.ts';

export type TelemetryAppDeps = TelemetryRouterDeps & {
  readonly logger: Logger;
};

/** Routes anyone may call: health and the API description. */
export const telemetryPublicRouter = (): Router => {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/openapi.json', (ctx) => {
    ctx.body = telemetryOpenApi();
  });
  return router;
};

export const createApp = (deps: TelemetryAppDeps): Koa => {
  const app = new Koa();
  const open = telemetryPublicRouter();
  const telemetry = telemetryRouter(deps);
  reportStreamErrors(app, deps.logger);
  app.use(errorBoundary(deps.logger));
  app.use(requestContext());
  app.use(open.routes()).use(open.allowedMethods());
  app.use(telemetry.routes()).use(telemetry.allowedMethods());
  return app;
};
