// The ETA reactor and its telemetry consumer as the wiring runs them (platformReactionsWith), on the
// embedded log and the embedded telemetry queue: a started route is estimated, a ping moves the estimate, a
// ping handed over again after a restart appends nothing twice, a completed stop drops out.
import { createMemoryBlobStore } from '@meridian/blob-store';
import { sendIntent, silentLogger, type CommandIntent, type DocumentStore, type EventStore, type RecordedEvent } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { TelemetryPing } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { embeddedBus, type Bus } from './bus.ts';
import { reactionConsumers, startConsumers } from './consumers.ts';
import { defaultEtaSettings, etaSettingsOf } from './eta.ts';
import { platformEffectHandlers } from './notifications.ts';
import { platformAggregates, platformReactionsWith } from './reactions.ts';

const dispatcher = { principalId: 'dispatcher-1', role: 'dispatcher' } as const;

const send = async (store: EventStore, aggregate: string, type: string, data: unknown) => {
  const command: CommandIntent = { aggregate, type, data };
  const outcome = await sendIntent({ store, aggregates: platformAggregates }, command, {
    requestId: randomUUID(),
    causationId: 'test',
    correlationId: randomUUID(),
    actor: dispatcher,
    now: new Date(),
  });
  if (outcome.kind === 'refused') throw new Error(`${type} refused: ${outcome.refusal.code} ${outcome.refusal.message}`);
};

const until = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const estimates = async (store: EventStore): Promise<RecordedEvent[]> =>
  (await store.readStream('route-r-1')).filter((event) => event.type === 'route.eta-updated.v1');

type Estimate = { trigger: string; position: { source: string; lat: number }; stops: { stopId: string }[] };
const estimateOf = (event: RecordedEvent | undefined): Estimate | undefined => (event === undefined ? undefined : (event.data as Estimate));

// Every check is worth recording (no throttle), so only the request id can keep a ping from appending twice.
const reactions = platformReactionsWith({
  eta: { ...defaultEtaSettings, throttle: { intervalSeconds: 0, thresholdSeconds: 0 }, checkIntervalMs: 100 },
});

const startReactions = (store: EventStore, documents: DocumentStore, bus: Bus) =>
  startConsumers(
    reactionConsumers(
      { bus, documents, logger: silentLogger },
      {
        store,
        reactions,
        effectHandlers: platformEffectHandlers({}, { store, documents, blobs: createMemoryBlobStore() }),
        timerMaxWaitMs: 200,
      },
    ),
    { logger: silentLogger },
  );

const ping = (lat: number, recordedAt: Date): TelemetryPing => {
  const decoded = TelemetryPing.decode({ vehicleId: 'v-1', lat, lng: 4.9, speed: 20, heading: 0, recordedAt: recordedAt.toISOString() });
  if (E.isLeft(decoded)) throw new Error('not a ping');
  return decoded.right;
};

test('a started route is estimated; a ping moves the estimate once; a completed stop drops out', async (t) => {
  const store = createSqliteEventStore({ path: ':memory:' });
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const bus = embeddedBus({ log: store, state: documents, logger: silentLogger, archivesTelemetry: false, etaTelemetry: true });
  let running = startReactions(store, documents, bus);
  t.teardown(async () => {
    await running.stop();
    await documents.close();
    await store.close();
  });
  await send(store, 'vehicle', 'RegisterVehicle', { vehicleId: 'v-1', depotId: 'ams-1', capacityKg: 800 });
  await send(store, 'vehicle', 'GoOnDuty', { vehicleId: 'v-1', driverId: 'd-1' });
  const now = Date.now();
  await send(store, 'route', 'PlanRoute', {
    routeId: 'r-1',
    depotId: 'ams-1',
    dispatchWindow: { from: new Date(now - 60_000).toISOString(), to: new Date(now + 8 * 3_600_000).toISOString() },
    stops: [
      { stopId: 's-1', location: { lat: 52.37, lng: 4.9 }, parcelIds: ['p-1'] },
      { stopId: 's-2', location: { lat: 52.38, lng: 4.9 }, parcelIds: ['p-2'] },
    ],
  });
  await send(store, 'vehicle', 'AssignVehicleToRoute', { vehicleId: 'v-1', routeId: 'r-1', plannedLoadKg: 4 });
  await send(store, 'route', 'AssignRouteVehicle', { routeId: 'r-1', vehicleId: 'v-1', driverId: 'd-1' });
  await send(store, 'route', 'StartRoute', { routeId: 'r-1' });

  const started = await until('the started route estimated', async () => estimateOf((await estimates(store))[0]));
  t.like(started, { trigger: 'route-started', position: { source: 'first-stop' } });
  t.deepEqual(
    started.stops.map((stop) => stop.stopId),
    ['s-1', 's-2'],
  );

  const seen = ping(52.36, new Date());
  await bus.telemetryPublisher.publish([seen]);
  const moved = await until('a ping estimated', async () => estimateOf((await estimates(store))[1]));
  t.like(moved, { trigger: 'position', position: { source: 'telemetry', lat: 52.36 } });

  // A restart forgets what was checked; the same ping again finds the first answer of its request id.
  await running.stop();
  running = startReactions(store, documents, bus);
  await bus.telemetryPublisher.publish([seen]);
  const newer = ping(52.365, new Date(Date.parse(seen.recordedAt) + 10));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await bus.telemetryPublisher.publish([newer]);
  await until('the newer ping estimated', async () => estimateOf((await estimates(store))[2]));
  t.deepEqual(
    (await estimates(store)).map((event) => estimateOf(event)?.position.lat),
    [52.37, 52.36, 52.365],
    'the repeated ping appended nothing',
  );

  await send(store, 'route', 'CompleteStop', { routeId: 'r-1', stopId: 's-1' });
  const afterStop = await until('the completed stop estimated', async () =>
    (await estimates(store)).map(estimateOf).find((estimate) => estimate?.trigger === 'stop-closed'),
  );
  t.deepEqual(
    afterStop.stops.map((stop) => stop.stopId),
    ['s-2'],
  );
  t.like(afterStop, { position: { source: 'stop', lat: 52.37 } });
});

test('the ETA settings come from the environment, with defaults', (t) => {
  t.deepEqual(etaSettingsOf({}), defaultEtaSettings);
  t.deepEqual(
    etaSettingsOf({
      MERIDIAN_ETA_MODEL: { speedKmh: 30, roadFactor: 1.4, serviceSeconds: 120 },
      MERIDIAN_ETA_INTERVAL_SECONDS: 30,
      MERIDIAN_ETA_THRESHOLD_SECONDS: 90,
      MERIDIAN_ETA_CHECK_SECONDS: 5,
    }),
    {
      model: { speedKmh: 30, roadFactor: 1.4, serviceSeconds: 120 },
      throttle: { intervalSeconds: 30, thresholdSeconds: 90 },
      checkIntervalMs: 5000,
    },
  );
});
