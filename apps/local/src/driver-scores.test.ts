// Driver scores in the embedded platform, end to end over HTTP: a driver's route delivers one parcel before
// its SLA deadline after one failed attempt; the driver's day shows it. Admin and dispatcher keys read
// scores, a client key does not; bad dates and ids are problem details naming the parameter. A van's pings
// on its started route, posted reordered and twice, are the driver's distance.
import { northOf } from '@meridian/geofence';
import { ApiKeys, keyring, serve } from '@meridian/http';
import { constantOf, greatCircleMetres, silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform } from './platform.ts';
import { eventually, onItsOwnRoute, type Step } from './testing/journey.ts';

const keys = { admin: 'scores-admin-key-000001', dispatcher: 'scores-dispatcher-key-01', client: 'scores-client-acme-00001' };
const apiKeys = constantOf(ApiKeys, [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.dispatcher, principal: 'desk', roles: ['dispatcher'] },
  { key: keys.client, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
]);

type Scores = {
  days: {
    day: string;
    deliveries: number;
    onTimeDeliveries: number;
    onTimeRate: number | null;
    failedAttempts: number;
    distanceKm: number | null;
  }[];
};
type Problem = { errors?: { parameter?: string; in?: string }[] };

test("a driver's day: one delivery on time after a failed attempt; admin and dispatcher read it, a client does not", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-scores-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const platform = startLocalPlatform({ store, documents, findPrincipal: keyring(apiKeys), logger: silentLogger });
  const server = await serve(platform.app);
  t.teardown(async () => {
    await server.close(50);
    await platform.stop();
    await documents.close();
    await store.close();
  });
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const parcelId = `p-${randomUUID()}`;
  const driverId = `d-${parcelId}`;
  const route = onItsOwnRoute(parcelId, 3);
  const steps: Step[] = [
    [
      '/v1/parcels',
      {
        parcelId,
        clientId: 'acme',
        recipient: { name: 'Ada' },
        address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
        weightKg: 3,
        slaDeadline: new Date(Date.now() + 3_600_000).toISOString(),
      },
    ],
    ...route.steps,
    [`/v1/parcels/${parcelId}/load`, { vehicleId: route.vehicleId }],
    [`/v1/parcels/${parcelId}/out-for-delivery`, {}],
    [`/v1/parcels/${parcelId}/fail-attempt`, { reason: 'recipient-absent' }],
    [`/v1/parcels/${parcelId}/out-for-delivery`, {}],
    [`/v1/parcels/${parcelId}/deliver`, { proof: { kind: 'signature', reference: 'sig-1' }, location: { lat: 52.37, lng: 4.89 } }],
  ];
  for (const [path, body] of steps) t.is((await call('POST', path, keys.admin, body)).status, 202, path);
  const today = new Date().toISOString().slice(0, 10);
  const path = `/v1/drivers/${driverId}/scores?from=${today}&to=${today}`;
  const scores = await eventually(
    () => call('GET', path, keys.dispatcher),
    (r) => r.status === 200 && (JSON.parse(r.text) as Scores).days[0]?.deliveries === 1,
  );
  t.is(scores.status, 200, scores.text);
  t.like((JSON.parse(scores.text) as Scores).days[0], { day: today, deliveries: 1, onTimeDeliveries: 1, onTimeRate: 1, failedAttempts: 1 });
  t.is((await call('GET', path, keys.admin)).status, 200);
  t.is((await call('GET', path, keys.client)).status, 403);

  const problemOf = async (query: string) => {
    const answer = await call('GET', query, keys.admin);
    t.is(answer.status, 400, query);
    t.regex(answer.type ?? '', /problem\+json/);
    return (JSON.parse(answer.text) as Problem).errors?.map((error) => `${error.in}:${error.parameter}`);
  };
  t.deepEqual(await problemOf(`/v1/drivers/${driverId}/scores?from=yesterday&to=${today}`), ['query:from']);
  t.deepEqual(await problemOf(`/v1/drivers/${driverId}/scores?from=${today}`), ['query:to']);
  t.deepEqual(await problemOf(`/v1/drivers/${driverId}/scores?from=2026-01-01&to=2026-03-01`), ['query:to'], 'more than 29 days');
  t.deepEqual(await problemOf(`/v1/drivers/${'x'.repeat(65)}/scores?from=${today}&to=${today}`), ['path:driverId']);
});

test("a van's pings while its route runs, reordered and posted twice, are its driver's distance: the great circle driven, within a slot", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-distance-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  // The platform's clock, which the test moves on once the pings are in (the route runs until now).
  let ahead = 0;
  const now = () => new Date(Date.now() + ahead);
  const platform = startLocalPlatform({ store, documents, findPrincipal: keyring(apiKeys), logger: silentLogger, now });
  const server = await serve(platform.app);
  t.teardown(async () => {
    await server.close(50);
    await platform.stop();
    await documents.close();
    await store.close();
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys.admin}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const parcelId = `p-${randomUUID()}`;
  const [driverId, routeId] = [`d-${parcelId}`, `r-${parcelId}`];
  const depot = { lat: 52.37, lng: 4.89 };
  const route = onItsOwnRoute(parcelId, 3);
  const steps: Step[] = [
    [
      '/v1/parcels',
      {
        parcelId,
        clientId: 'acme',
        recipient: { name: 'Ada' },
        address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: depot },
        weightKg: 3,
        slaDeadline: new Date(Date.now() + 3_600_000).toISOString(),
      },
    ],
    ...route.steps,
    [`/v1/parcels/${parcelId}/load`, { vehicleId: route.vehicleId }],
    [`/v1/routes/${routeId}/start`, {}],
  ];
  for (const [path, body] of steps) t.is((await call('POST', path, body)).status, 202, path);
  const started = (await store.readStream(`route-${routeId}`)).find((event) => event.type === 'route.started.v1');
  const startedAt = Date.parse(String((started?.data as { startedAt?: string } | undefined)?.startedAt));
  t.false(Number.isNaN(startedAt), 'the route started');

  // Ten minutes north at 12 m/s from 5 s after the start, a ping every 5 s: 7.2 km of great circle. A ping
  // before the start, a kilometre south, counts for nothing.
  const ping = (second: number) => ({
    vehicleId: route.vehicleId,
    ...northOf(depot, Math.max(0, second - 5) * 12),
    speed: 43,
    heading: 0,
    recordedAt: new Date(startedAt + second * 1000).toISOString(),
  });
  const drive = Array.from({ length: 121 }, (_, i) => ping(5 + i * 5));
  const reordered = [...drive.filter((_, i) => i % 2 === 1).reverse(), ...drive.filter((_, i) => i % 2 === 0)];
  for (const pings of [reordered, [...drive, { ...ping(-60), ...northOf(depot, -1000) }]])
    t.is((await call('POST', '/v1/telemetry', { pings })).status, 202);
  ahead = 15 * 60_000;

  const driven = greatCircleMetres(drive[0]!, drive.at(-1)!) / 1000;
  // The first and last days the drive may touch (a run near midnight UTC splits it): their distances add up.
  const [from, to] = [new Date(startedAt).toISOString().slice(0, 10), new Date(startedAt + 15 * 60_000).toISOString().slice(0, 10)];
  const distanceOf = (scores: { text: string }) =>
    (JSON.parse(scores.text) as Scores).days.reduce((sum, day) => sum + (day.distanceKm ?? 0), 0);
  // Each slot holds its earliest ping: the last slot's may be up to 25 s (0.3 km) before the last ping.
  const within = (km: number) => km <= driven + 0.05 && km >= driven - 0.35;
  const scores = await eventually(
    () => call('GET', `/v1/drivers/${driverId}/scores?from=${from}&to=${to}`),
    (r) => r.status === 200 && within(distanceOf(r)),
  );
  t.is(scores.status, 200, scores.text);
  t.true(within(distanceOf(scores)), `${distanceOf(scores)} km for ${driven.toFixed(3)} km driven`);
  t.true(
    (JSON.parse(scores.text) as Scores).days.every((day) => day.distanceKm !== null),
    'a day of today has its telemetry',
  );
});
