// GET /metrics on every app's port: the process's OpenTelemetry metrics in the Prometheus text format, for
// an admin key presented as a bearer token (Prometheus's scrape config sends one: `authorization.credentials`).
import Router from '@koa/router';
import { telemetry } from '@meridian/runtime';
import { authenticate, requireActor, type AuthState, type Principal } from './auth.ts';

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

export const metricsRouter = (findPrincipal: (presented: string) => Principal | undefined): Router<Partial<AuthState>> => {
  const router = new Router<Partial<AuthState>>();
  router.get('/metrics', authenticate(findPrincipal), async (ctx) => {
    const { principal } = ctx.state;
    if (principal === undefined) return;
    requireActor(principal, ['admin']);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = prometheusContentType;
    ctx.body = await telemetry().prometheusText();
  });
  return router;
};
