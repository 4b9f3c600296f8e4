// Geofence detection in the embedded platform, end to end over HTTP: pings posted to the telemetry API drive
// a van into its route's stop; the vehicle records one geofence-entered fact, the RouteBoard shows the
// arrival, and the same pings posted again (duplicated, reordered) record nothing more.
import { northOf } from '@meridian/geofence';
import { ApiKeys, keyring, serve } from '@meridian/http';
import { constantOf, silentLogger, typedCollection } from '@meridian/kernel';
import { geofenceRoutes, geofenceTargetsProjection, newGeofenceCounters, physicalCollection } from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform } from './platform.ts';
import { eventually, onItsOwnRoute, type Step } from './testing/journey.ts';

const adminKey = 'geofence-admin-key-000001';
const apiKeys = constantOf(ApiKeys, [{ key: adminKey, principal: 'admin', roles: ['admin'] }]);
// onItsOwnRoute's one stop.
const stop = { lat: 52.37, lng: 4.89 };

test('pings that drive a van into a stop fence record exactly one entered fact, shown on the RouteBoard; duplicated pings none more', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-geofence-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const counters = newGeofenceCounters();
  const platform = startLocalPlatform({
    store,
    documents,
    findPrincipal: keyring(apiKeys),
    logger: silentLogger,
    geofence: { refreshMs: 100, counters },
  });
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
      headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const parcelId = `p-${randomUUID()}`;
  const route = onItsOwnRoute(parcelId, 3);
  const routeId = `r-${parcelId}`;
  const steps: Step[] = [
    [
      '/v1/parcels',
      {
        parcelId,
        clientId: 'acme',
        recipient: { name: 'Ada' },
        address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: stop },
        weightKg: 3,
        slaDeadline: new Date(Date.now() + 3_600_000).toISOString(),
      },
    ],
    ...route.steps,
  ];
  for (const [path, body] of steps) t.is((await call('POST', path, body)).status, 202, path);
  // The detector watches the van once the geofence targets know its route (read again every 100 ms here).
  const targets = typedCollection(documents, geofenceRoutes, physicalCollection(geofenceRoutes.name, geofenceTargetsProjection.version));
  const watched = await eventually(
    () => targets.get(routeId),
    (target) => target?.status === 'active',
  );
  t.is(watched?.vehicleId, route.vehicleId);
  const start = Date.now() - 120_000;
  const ping = (second: number, metres: number) => ({
    vehicleId: route.vehicleId,
    ...northOf(stop, metres),
    speed: 15,
    heading: 180,
    recordedAt: new Date(start + second * 1000).toISOString(),
  });
  // Driving in from 500 m, inside the 50 m fence from 30 s; the last ping is past the lateness, so all are decided.
  const drive = [ping(0, 500), ping(10, 300), ping(20, 120), ping(30, 40), ping(40, 15), ping(50, 5), ping(70, 5)];
  const entered = async () =>
    (await store.readStream(`vehicle-${route.vehicleId}`)).filter((e) => e.type === 'vehicle.geofence-entered.v1');
  const post = async (pings: readonly unknown[]) => t.is((await call('POST', '/v1/telemetry', { pings })).status, 202);
  await post([drive[1], drive[0], drive[3], drive[2], drive[3], drive[5], drive[4], drive[6]]);
  const recorded = await eventually(entered, (events) => events.length > 0);
  t.is(recorded.length, 1);
  t.like(recorded[0]?.data, { fenceId: `stop:${routeId}:s-1`, routeId, stopId: 's-1', recordedAt: drive[3]!.recordedAt });
  // The same pings again, and a later one: each is a duplicate or behind the watermark.
  const handled = counters.pings;
  await post([...drive, ...drive, ping(90, 6)]);
  await eventually(
    async () => counters.pings,
    (pings) => pings >= handled + 15,
  );
  t.is((await entered()).length, 1, 'duplicated pings record nothing more');
  const board = await eventually(
    () => call('GET', `/v1/routes/${routeId}`),
    (r) => (JSON.parse(r.text) as { stops: { arrivedAt: string | null }[] }).stops[0]?.arrivedAt !== null,
  );
  t.is((JSON.parse(board.text) as { stops: { arrivedAt: string | null }[] }).stops[0]?.arrivedAt, drive[3]!.recordedAt);
});
