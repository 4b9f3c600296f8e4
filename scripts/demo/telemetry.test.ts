// The pinger against a stand-in telemetry endpoint: batches of at most 1000, Retry-After honoured, 404 turns it off.
import test from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLimiter, type Api } from './http.ts';
import { createStats } from './stats.ts';
import { park, pingOf, signOff, startPinger, type Ping, type Tracker } from './telemetry.ts';

const standIn = async (answer: (request: number, pings: readonly Ping[], response: ServerResponse) => void) => {
  let requests = 0;
  const sizes: number[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const { pings } = JSON.parse(text) as { pings: Ping[] };
      sizes.push(pings.length);
      answer(requests++, pings, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api: Api = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: 'k',
    limit: createLimiter(4),
    stats: createStats(Date.now()),
    resuming: false,
  };
  return { api, sizes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

const fleet = (vans: number): Tracker =>
  new Map(Array.from({ length: vans }, (_, i) => [`van-${i}`, { kind: 'parked' as const, at: { lat: 52.37, lng: 4.89 }, heading: 0 }]));

const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await sleep(10);
};

test('1500 vans ping in batches of at most 1000, and a 503 is retried after Retry-After', async (t) => {
  const endpoint = await standIn((request, pings, response) => {
    if (request === 0) response.writeHead(503, { 'retry-after': '0', 'content-type': 'application/problem+json' }).end('{}');
    else response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: pings.length }));
  });
  const pinger = startPinger(endpoint.api, fleet(1500), 10_000, () => undefined);
  await until(() => endpoint.api.stats.pingsAccepted === 1500);
  await pinger.stop();
  await endpoint.close();
  t.is(endpoint.api.stats.pingsAccepted, 1500);
  t.true(endpoint.sizes.every((size) => size <= 1000));
  t.is(endpoint.sizes.length, 3);
  t.deepEqual(endpoint.api.stats.unexpected, []);
});

test('a 404 turns telemetry off once, with a warning, and is not an error', async (t) => {
  const endpoint = await standIn((_, __, response) =>
    response.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"type":"/problems/not-found"}'),
  );
  const warnings: string[] = [];
  const pinger = startPinger(endpoint.api, fleet(3), 10, (line) => warnings.push(line));
  await until(() => !pinger.enabled());
  await sleep(50);
  await pinger.stop();
  await endpoint.close();
  t.is(endpoint.sizes.length, 1);
  t.is(warnings.length, 1);
  t.deepEqual(endpoint.api.stats.unexpected, []);
});

test('a van halfway along a leg is halfway there, at its speed, heading along the leg', (t) => {
  const ping = pingOf(
    'van-1',
    { kind: 'driving', from: { lat: 52.3, lng: 4.9 }, to: { lat: 52.4, lng: 4.9 }, departedAt: 0, arrivesAt: 1000, speedKmh: 30 },
    500,
  );
  t.like(ping, { vehicleId: 'van-1', lat: 52.35, lng: 4.9, speed: 30, heading: 0 });
  const arrived = pingOf(
    'van-1',
    { kind: 'driving', from: { lat: 52.3, lng: 4.9 }, to: { lat: 52.3, lng: 4.8 }, departedAt: 0, arrivesAt: 1000, speedKmh: 30 },
    2000,
  );
  t.like(arrived, { lat: 52.3, lng: 4.8, speed: 0 });
  t.true(arrived.heading > 269 && arrived.heading < 271);
});

test('a van signed off sends one last ping, parked, and then no more', async (t) => {
  const received: Ping[] = [];
  const endpoint = await standIn((_, pings, response) => {
    received.push(...pings);
    response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: pings.length }));
  });
  const tracker: Tracker = new Map();
  park(tracker, 'van-1', { lat: 52.38, lng: 4.84 });
  signOff(tracker, 'van-1');
  const pinger = startPinger(endpoint.api, tracker, 10, () => undefined);
  await sleep(100);
  await pinger.stop();
  await endpoint.close();
  t.is(tracker.size, 0);
  t.like(received, [{ vehicleId: 'van-1', lat: 52.38, lng: 4.84, speed: 0 }]);
  t.is(received.length, 1);
});
