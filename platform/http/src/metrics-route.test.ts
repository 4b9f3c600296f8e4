// GET /metrics on the shared app skeleton: Prometheus text for an admin key presented as a bearer token,
// 401 without a key or with an unknown one, 403 for a key without the admin role.
import { silentLogger } from '@meridian/kernel';
import { parsePrometheusText } from '@meridian/runtime';
import test from 'ava';
import { createHttpApp } from './http-app.ts';
import { serve } from './server.ts';

const admin = 'admin-key-0123456789';
const dispatcher = 'dispatcher-key-0123456789';

const withApp = async (run: (url: string) => Promise<void>) => {
  const app = createHttpApp({
    logger: silentLogger,
    findPrincipal: (presented) =>
      presented === admin ? { id: 'ops', roles: ['admin'] } : presented === dispatcher ? { id: 'desk', roles: ['dispatcher'] } : undefined,
    health: () => ({ status: 'ok' }),
    openapi: () => ({}),
    routers: [],
  });
  const server = await serve(app, { port: 0, host: '127.0.0.1' });
  try {
    await run(server.url);
  } finally {
    await server.close();
  }
};

const scrape = (url: string, key?: string) =>
  fetch(`${url}/metrics`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

test('an admin key scrapes the Prometheus text, which parses', async (t) => {
  await withApp(async (url) => {
    await fetch(`${url}/healthz`);
    const answer = await scrape(url, admin);
    t.is(answer.status, 200);
    t.is(answer.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(await answer.text());
    t.true(families.has('target_info'));
  });
});

test('no key or an unknown one is 401 with a challenge; a key without the admin role is 403', async (t) => {
  await withApp(async (url) => {
    const anonymous = await scrape(url);
    t.is(anonymous.status, 401);
    t.is(anonymous.headers.get('www-authenticate'), 'Bearer realm="meridian"');
    t.is(anonymous.headers.get('content-type'), 'application/problem+json');
    t.is((await scrape(url, 'not-a-key-0123456789')).status, 401);
    t.is((await scrape(url, dispatcher)).status, 403);
  });
});

test('a request runs in a span: the traceparent answered is W3C, continuing the caller trace', async (t) => {
  await withApp(async (url) => {
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const answered = (await fetch(`${url}/healthz`, { headers: { traceparent: caller } })).headers.get('traceparent') ?? '';
    t.regex(answered, /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    t.not(answered, caller);
    const fresh = (await fetch(`${url}/healthz`)).headers.get('traceparent') ?? '';
    t.regex(fresh, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    t.false(fresh.includes('0af7651916cd43dd8448eb211c80319c'));
  });
});
