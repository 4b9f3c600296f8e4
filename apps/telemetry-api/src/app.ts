// The telemetry API served alone: the error boundary outermost, request context, the public routes, then
// the authenticated telemetry route. The all-in-one local app mounts `telemetryRouter` instead.
import { errorBoundary, publicRouter, reportStreamErrors, requestContext } from '@meridian/http';
import type { Logger } from '@meridian/runtime';
import Koa from 'koa';
import { telemetryOpenApi } from './openapi.ts';
import { telemetryRouter, type TelemetryRouterDeps } from './router.ts';

export type TelemetryAppDeps = TelemetryRouterDeps & {
  readonly logger: Logger;
};

export const createApp = (deps: TelemetryAppDeps): Koa => {
  const app = new Koa();
  const open = publicRouter({ health: () => ({ status: 'ok' }), openapi: telemetryOpenApi });
  const telemetry = telemetryRouter(deps);
  reportStreamErrors(app, deps.logger);
  app.use(errorBoundary(deps.logger));
  app.use(requestContext());
  app.use(open.routes()).use(open.allowedMethods());
  app.use(telemetry.routes()).use(telemetry.allowedMethods());
  return app;
};
