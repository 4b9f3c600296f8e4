// A tiny wave against the real platform, in process on an ephemeral port over a fresh SQLite store; the
// outcome is checked through the API's stream history, as an auditor would.
import { keyring, serve, type ApiKey } from '@meridian/http';
import { startLocalPlatform } from '@meridian/local';
import { createLogger } from '@meridian/runtime';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMorningWave } from './morning-wave.ts';
import { parcelsOf } from './plan.ts';

const adminKey = 'demo-test-admin-key-000001';
const apiKeys = [{ key: adminKey, principal: 'demo-admin', roles: ['admin'] }] as unknown as ApiKey[];

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
const settledLiveMap = async (url: string, vans: number): Promise<LivePosition[]> => {
  let items: LivePosition[] = [];
  for (let i = 0; i < 100; i++) {
    items = ((await get(url, '/v1/live-map')).body as { items: LivePosition[] }).items;
    if (items.length === vans && items.every((item) => item.speed === 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return items;
};

const eventTypes = async (url: string, streamId: string): Promise<string[]> => {
  const { status, body } = await get(url, `/v1/streams/${streamId}`);
  return status === 200 ? (body as { events: { type: string }[] }).events.map((event) => event.type) : [`HTTP ${status}`];
};

test('a tiny morning wave delivers or returns every parcel and finishes every route', async (t) => {
  const platform = await startPlatform();
  const lines: string[] = [];
  try {
    const options = {
      url: platform.url,
      key: adminKey,
      vehicles: 3,
      stopsPerRoute: 3,
      pingIntervalMs: 20,
      speed: 200_000,
      failRate: 0.3,
      concurrency: 8,
      progressMs: 1000,
    };
    const result = await runMorningWave(options, { log: (line) => lines.push(line) });
    t.true(result.ok, lines.join('\n'));
    t.deepEqual(result.stats.unexpected, []);
    t.is(result.stats.routesFinished, 3);

    for (const vehicle of result.plan.vehicles) {
      t.is((await eventTypes(platform.url, `route-${vehicle.routeId}`)).at(-1), 'route.finished.v1', vehicle.routeId);
      t.deepEqual((await eventTypes(platform.url, `vehicle-${vehicle.vehicleId}`)).slice(-2), [
        'vehicle.released-from-route.v1',
        'vehicle.went-off-duty.v1',
      ]);
      for (const parcel of parcelsOf(vehicle)) {
        const last = (await eventTypes(platform.url, `parcel-${parcel.parcelId}`)).at(-1);
        t.is(last, parcel.outcome.kind === 'deliver' ? 'parcel.delivered.v1' : 'parcel.returned-to-depot.v1', parcel.parcelId);
      }
    }
    const parcels = result.plan.vehicles.flatMap(parcelsOf);
    t.is(result.stats.deliveries + result.stats.returned, parcels.length);

    // Telemetry, where the platform has it (a 404 turns the pings off): each van ends parked at its depot.
    t.log(result.summary.find((line) => line.includes('telemetry'))?.trim());
    if (result.stats.pingsSent > 0) {
      t.is(result.stats.pingsAccepted, result.stats.pingsSent);
      const live = await settledLiveMap(platform.url, result.plan.vehicles.length);
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
    };
    const first = await runMorningWave(options, { log: () => undefined });
    t.true(first.ok);
    const again = await runMorningWave({ ...options, runId: first.plan.runId }, { log: () => undefined });
    t.true(again.ok, again.summary.join('\n'));
    t.is(again.stats.commandsReplayed, again.stats.commandsAccepted);
    t.is(again.stats.commandsAccepted, first.stats.commandsAccepted);
  } finally {
    await platform.close();
  }
});
