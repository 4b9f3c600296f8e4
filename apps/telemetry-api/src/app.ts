// The telemetry API served alone: the HTTP skeleton with the authenticated telemetry route. The all-in-one
// local app mounts `telemetryRouter` instead.
import { createHttpApp } from '@meridian/http';
import type { Logger } from '@meridian/runtime';
import type Koa from 'koa';
import { telemetryOpenApi } from './openapi.ts';
import { telemetryRouter, type TelemetryRouterDeps } from './router.ts';

export type TelemetryAppDeps = TelemetryRouterDeps & {
  readonly logger: Logger;
};

export const createApp = (deps: TelemetryAppDeps): Koa =>
  createHttpApp({
    logger: deps.logger,
    findPrincipal: deps.findPrincipal,
    health: () => ({ status: 'ok' }),
    openapi: telemetryOpenApi,
    routers: [telemetryRouter(deps)],
  });
