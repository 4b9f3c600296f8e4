// The port of a worker that serves no API (relay, projector, reactions): Cloud Run starts a service only once
// it accepts connections on $PORT, operators want to see where its consumers stand, and Prometheus scrapes its
// metrics as it scrapes the APIs'. It is bound first, like every port. GET /healthz (and /) answers 503 while
// `status` has nothing to say yet (the worker is starting); GET /metrics is the APIs' own route, for an admin
// key, so a worker's lag, dead letters and timers are read with the same key and the same answers.
import Router from '@koa/router';
import type { Logger } from '@meridian/runtime';
import Koa from 'koa';
import type { Principal } from './auth.ts';
import { errorBoundary, reportStreamErrors } from './error-boundary.ts';
import { metricsRouter } from './metrics-route.ts';
import { serve, type RunningServer } from './server.ts';

export type WorkerPortDeps = {
  /** Where the worker stands, for /healthz; undefined while it is starting. */
  readonly status: () => object | undefined;
  /** Who a bearer key is (MERIDIAN_API_KEYS): GET /metrics answers an admin. */
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
};

const healthRouter = (status: () => object | undefined): Router => {
  const router = new Router();
  router.get(['/healthz', '/'], (ctx) => {
    const now = status();
    ctx.set('Cache-Control', 'no-store');
    ctx.status = now === undefined ? 503 : 200;
    ctx.body = now === undefined ? { status: 'starting' } : { status: 'ok', ...now };
  });
  return router;
};

/** The worker's app: health and metrics, every failure as problem+json (the APIs' error boundary). */
export const createWorkerApp = ({ status, findPrincipal, logger }: WorkerPortDeps): Koa => {
  const app = new Koa();
  reportStreamErrors(app, logger);
  app.use(errorBoundary(logger));
  for (const router of [healthRouter(status), metricsRouter(findPrincipal)]) app.use(router.routes()).use(router.allowedMethods());
  return app;
};

/** Binds the worker's port (all interfaces, as Cloud Run needs) and serves health and metrics on it. */
export const serveWorkerPort = (port: number, deps: WorkerPortDeps): Promise<RunningServer> =>
  serve(createWorkerApp(deps), { port, host: '0.0.0.0' });
