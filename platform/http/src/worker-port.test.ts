// A worker's port: health (503 while starting, then where it stands) and /metrics exactly as the APIs answer
// it: 401 without a valid key, 403 without the admin role, the Prometheus text for an admin key.
import { silentLogger } from '@meridian/kernel';
import { observeGauge, parsePrometheusText, sampleValue } from '@meridian/runtime';
import test from 'ava';
import { prometheusContentType } from './metrics-route.ts';
import { serveWorkerPort } from './worker-port.ts';

const admin = 'worker-admin-key-0123456789';
const dispatcher = 'worker-dispatcher-key-0123456789';
const findPrincipal = (presented: string) =>
  presented === admin
    ? { id: 'ops', roles: ['admin' as const] }
    : presented === dispatcher
      ? { id: 'desk', roles: ['dispatcher' as const] }
      : undefined;

const scrape = (url: string, key?: string) =>
  fetch(`${url}/metrics`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

test('a worker port answers /metrics for an admin key only, with the gauges the worker observes', async (t) => {
  const stop = observeGauge('consumerLagEvents', () => [{ value: 7, attributes: { consumer: 'worker-port-test' } }]);
  const server = await serveWorkerPort(0, { status: () => ({}), findPrincipal, logger: silentLogger });
  try {
    const url = `http://127.0.0.1:${server.port}`;
    const anonymous = await scrape(url);
    t.is(anonymous.status, 401);
    t.is(anonymous.headers.get('www-authenticate'), 'Bearer realm="meridian"');
    t.is(anonymous.headers.get('content-type'), 'application/problem+json');
    t.is((await scrape(url, 'not-a-key-0123456789')).status, 401);
    t.is((await scrape(url, dispatcher)).status, 403);
    const answer = await scrape(url, admin);
    t.is(answer.status, 200);
    t.is(answer.headers.get('content-type'), prometheusContentType);
    const families = parsePrometheusText(await answer.text());
    t.is(sampleValue(families, 'meridian_consumer_lag_events', { consumer: 'worker-port-test' }), 7);
  } finally {
    stop();
    await server.close();
  }
});

test('health is 503 while the worker starts, then 200 with where it stands; other paths are problems', async (t) => {
  let status: object | undefined;
  const server = await serveWorkerPort(0, { status: () => status, findPrincipal, logger: silentLogger });
  try {
    const url = `http://127.0.0.1:${server.port}`;
    const starting = await fetch(`${url}/healthz`);
    t.is(starting.status, 503);
    t.deepEqual(await starting.json(), { status: 'starting' });
    status = { relayed: { through: 3 } };
    const started = await fetch(`${url}/healthz`);
    t.is(started.status, 200);
    t.deepEqual(await started.json(), { status: 'ok', relayed: { through: 3 } });
    t.is((await fetch(`${url}/`)).status, 200);
    const unknown = await fetch(`${url}/v1/parcels`);
    t.is(unknown.status, 404);
    t.is(unknown.headers.get('content-type'), 'application/problem+json');
    t.is((await fetch(`${url}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    await server.close();
  }
});
