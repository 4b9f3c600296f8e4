// A tiny wave against the real platform, in process on an ephemeral port over a fresh SQLite store; the
// outcome is checked through the API's stream history, as an auditor would.
import { keyring, serve, type ApiKey } from '@meridian/http';
import { startLocalPlatform } from '@meridian/local';
import { createLogger } from '@meridian/runtime';
import { createEmbeddedRouteOptimizer } from '@meridian/route-optimizer';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { dispatchActivities, platformReactions } from '@meridian/wiring';
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nothingToDispatch } from './dispatch.ts';
import { runMorningWave } from './morning-wave.ts';
import { parcelsOf } from './plan.ts';

const adminKey = 'demo-test-admin-key-000001';
const drivers = Array.from({ length: 6 }, (_, n) => ({ driverId: `demo-driver-${n + 1}`, key: `demo-test-driver-key-00000${n + 1}` }));
const apiKeys = [
  { key: adminKey, principal: 'demo-admin', roles: ['admin'] },
  ...drivers.map((driver) => ({ key: driver.key, principal: driver.driverId, roles: ['driver'] })),
] as unknown as ApiKey[];
// No driver lets an offer run out: the saga would wait 30 s, the least acceptance time, for it.
const dispatchOptions = { drivers, declineRate: 0, noAnswerRate: 0, acceptanceSeconds: 30 };

const startPlatform = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-demo-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const platform = startLocalPlatform({
    store,
    documents,
    findPrincipal: keyring(apiKeys),
    logger: createLogger({ service: 'demo-test', level: 'SILENT' }),
    liveMapIntervalMs: 20,
    // As `npm start` runs it: the dispatch saga plans with the embedded optimizer.
    reactions: { ...platformReactions, activities: dispatchActivities(createEmbeddedRouteOptimizer()) },
  });
  const server = await serve(platform.app);
  return {
    url: server.url,
    close: async () => {
      await server.close(50);
      await platform.stop();
      await documents.close();
      await store.close();
    },
  };
};

const get = async (url: string, path: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminKey}` } });
  return { status: response.status, body: await response.json() };
};

type LivePosition = { vehicleId: string; lat: number; lng: number; speed: number };

/** The live map once every van's last ping (parked at its depot) is on it, or what it shows after 5 s. */
const settledLiveMap = async (url: string, depots: ReadonlyMap<string, { lat: number; lng: number }>): Promise<LivePosition[]> => {
  let items: LivePosition[] = [];
  const home = (item: LivePosition) =>
    item.speed === 0 && item.lat === depots.get(item.vehicleId)?.lat && item.lng === depots.get(item.vehicleId)?.lng;
  for (let i = 0; i < 100; i++) {
    items = ((await get(url, '/v1/live-map')).body as { items: LivePosition[] }).items;
    if (items.length === depots.size && items.every(home)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return items;
};

const eventTypes = async (url: string, streamId: string): Promise<string[]> => {
  const { status, body } = await get(url, `/v1/streams/${streamId}`);
  return status === 200 ? (body as { events: { type: string }[] }).events.map((event) => event.type) : [`HTTP ${status}`];
};

test('a tiny morning wave is dispatched by the saga, then delivers or returns every dispatched parcel and finishes every route', async (t) => {
  const platform = await startPlatform();
  const lines: string[] = [];
  try {
    const options = {
      url: platform.url,
      key: adminKey,
      vehicles: 6,
      stopsPerRoute: 2,
      pingIntervalMs: 20,
      speed: 200_000,
      failRate: 0.3,
      concurrency: 8,
      progressMs: 1000,
      ...dispatchOptions,
      declineRate: 0.5,
    };
    const result = await runMorningWave(options, { log: (line) => lines.push(line) });
    t.true(result.ok, lines.join('\n'));
    t.deepEqual(result.stats.unexpected, []);
    t.log(lines.filter((line) => /window|offers|not dispatched/.test(line)).join('\n'));

    // One window per depot, each completed by the saga; every route driven is one the saga confirmed.
    t.is(result.windows.length, 3);
    const confirmed = new Map(
      result.windows.flatMap((window) =>
        window.routes.filter((route) => route.status === 'confirmed').map((route) => [route.routeId, { window, route }] as const),
      ),
    );
    t.true(
      result.windows.every((window) => ['dispatched', 'partly-dispatched', 'not-dispatched', nothingToDispatch].includes(window.outcome)),
    );
    t.true(result.routes.size > 0);
    t.is(result.stats.routesFinished, result.routes.size);
    t.is(result.stats.offersAccepted, confirmed.size);
    t.is(result.stats.vehiclesDone + result.stats.vehiclesIdle, result.plan.vehicles.length);
    const outcomes = new Map(result.plan.vehicles.flatMap(parcelsOf).map((parcel) => [parcel.parcelId, parcel.outcome.kind]));
    for (const vehicle of result.plan.vehicles) {
      const routeId = result.routes.get(vehicle.vehicleId);
      if (routeId === undefined) {
        t.is((await eventTypes(platform.url, `vehicle-${vehicle.vehicleId}`)).at(-1), 'vehicle.went-off-duty.v1', vehicle.vehicleId);
        continue;
      }
      const { window, route } = confirmed.get(routeId) ?? t.fail(`${routeId} is not a route the saga confirmed`);
      t.is(route.vehicleId, vehicle.vehicleId);
      t.true(routeId.startsWith(`${window.windowId}.r`), routeId);
      t.is((await eventTypes(platform.url, `route-${routeId}`)).at(-1), 'route.finished.v1', routeId);
      t.deepEqual((await eventTypes(platform.url, `vehicle-${vehicle.vehicleId}`)).slice(-2), [
        'vehicle.released-from-route.v1',
        'vehicle.went-off-duty.v1',
      ]);
      for (const parcelId of route.parcelIds) {
        const last = (await eventTypes(platform.url, `parcel-${parcelId}`)).at(-1);
        t.is(last, outcomes.get(parcelId) === 'fail' ? 'parcel.returned-to-depot.v1' : 'parcel.delivered.v1', parcelId);
      }
    }
    const dispatched = [...confirmed.values()].flatMap(({ route }) => route.parcelIds);
    t.is(result.stats.deliveries + result.stats.returned, dispatched.length);
    t.true(result.summary.some((line) => line.includes('not dispatched')));

    // Telemetry, where the platform has it (a 404 turns the pings off): each van ends parked at its depot.
    t.log(result.summary.find((line) => line.includes('telemetry'))?.trim());
    if (result.stats.pingsSent > 0) {
      t.is(result.stats.pingsAccepted, result.stats.pingsSent);
      const live = await settledLiveMap(
        platform.url,
        new Map(result.plan.vehicles.map((vehicle) => [vehicle.vehicleId, vehicle.depot.location])),
      );
      for (const vehicle of result.plan.vehicles)
        t.like(
          live.find((item) => item.vehicleId === vehicle.vehicleId),
          { ...vehicle.depot.location, speed: 0 },
          vehicle.vehicleId,
        );
    }
  } finally {
    await platform.close();
  }
});

test('the same run resumed sends the same requests again, and each is an idempotent replay', async (t) => {
  const platform = await startPlatform();
  try {
    const options = {
      url: platform.url,
      key: adminKey,
      vehicles: 2,
      stopsPerRoute: 2,
      pingIntervalMs: 20,
      speed: 200_000,
      failRate: 0.5,
      concurrency: 8,
      progressMs: 1000,
      ...dispatchOptions,
    };
    const first = await runMorningWave(options, { log: () => undefined });
    t.true(first.ok);
    const again = await runMorningWave({ ...options, runId: first.plan.runId }, { log: () => undefined });
    t.true(again.ok, again.summary.join('\n'));
    t.is(again.stats.commandsReplayed, again.stats.commandsAccepted);
    // The windows completed in the first run, so no offer is pending to answer again: every other command is sent again.
    t.deepEqual(again.routes, first.routes);
    t.is(again.stats.commandsAccepted, first.stats.commandsAccepted - first.stats.offersAccepted - first.stats.offersDeclined);
  } finally {
    await platform.close();
  }
});
