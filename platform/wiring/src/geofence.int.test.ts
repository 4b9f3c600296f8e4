// The geofence detector on the cloud wiring's emulators: its own Pub/Sub subscription on the telemetry topic,
// its fences read from Firestore. Pings published twice (and the topic unordered) record one entered fact.
import { defaultGeofenceRules, northOf } from '@meridian/geofence';
import { createFirestoreDocumentStore } from '@meridian/firestore';
import { sendIntent, silentLogger, typedCollection, type IntentCause } from '@meridian/kernel';
import { createInMemoryEventStore, environmentFor } from '@meridian/kernel/testing';
import { geofenceRoutes, geofenceTargetsProjection, newGeofenceCounters, physicalCollection } from '@meridian/projections';
import { TelemetryPing } from '@meridian/vehicle';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { randomUUID } from 'node:crypto';
import { openBus } from './bus.ts';
import { startConsumers } from './consumers.ts';
import { geofenceConsumer } from './geofence.ts';
import { platformAggregates } from './reactions.ts';

const pubsubHost = environmentFor(test, 'geofence detection on Pub/Sub', 'PUBSUB_EMULATOR_HOST', { requiredUnderCi: true });
const firestoreHost = environmentFor(test, 'geofence detection on Firestore', 'FIRESTORE_EMULATOR_HOST', { requiredUnderCi: true });

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
};

const stop = { lat: 52.37, lng: 4.89 };
const start = Date.parse('2026-12-07T09:00:00Z');

const ping = (second: number, metres: number): TelemetryPing => {
  const decoded = TelemetryPing.decode({
    vehicleId: 'v-1',
    ...northOf(stop, metres),
    speed: 15,
    heading: 180,
    recordedAt: new Date(start + second * 1000).toISOString(),
  });
  if (E.isLeft(decoded)) throw new Error('not a valid ping');
  return decoded.right;
};

if (pubsubHost !== undefined && firestoreHost !== undefined)
  test('pings published twice on the unordered topic record exactly one entered fact', async (t) => {
    const project = `meridian-geofence-${randomUUID().slice(0, 8)}`;
    const bus = await openBus(
      { MERIDIAN_BUS: 'pubsub', PUBSUB_EMULATOR_HOST: pubsubHost, GOOGLE_CLOUD_PROJECT: project, MERIDIAN_PROVISION: 'true' },
      { logger: silentLogger },
    );
    const documents = createFirestoreDocumentStore({ projectId: project });
    const store = createInMemoryEventStore();
    const counters = newGeofenceCounters();
    // A lateness longer than the drive: the topic may hand the pings in any order, and all of them count.
    const rules = { ...defaultGeofenceRules, latenessMs: 120_000 };
    const consumers = startConsumers(
      [geofenceConsumer({ bus, documents, logger: silentLogger }, { store, rules, refreshMs: 200, counters })],
      {
        logger: silentLogger,
      },
    );
    t.teardown(async () => {
      await consumers.stop();
      await documents.close();
      await bus.close();
    });
    const cause = (requestId: string): IntentCause => ({
      requestId,
      causationId: requestId,
      correlationId: requestId,
      actor: { principalId: 'dispatcher-1', role: 'dispatcher' },
      now: new Date(),
    });
    const deps = { store, aggregates: platformAggregates };
    await sendIntent(
      deps,
      { aggregate: 'vehicle', type: 'RegisterVehicle', data: { vehicleId: 'v-1', depotId: 'ams', capacityKg: 800 } },
      cause('1'),
    );
    await sendIntent(deps, { aggregate: 'vehicle', type: 'GoOnDuty', data: { vehicleId: 'v-1', driverId: 'd-1' } }, cause('2'));
    await sendIntent(
      deps,
      { aggregate: 'vehicle', type: 'AssignVehicleToRoute', data: { vehicleId: 'v-1', routeId: 'r-1', plannedLoadKg: 10 } },
      cause('3'),
    );
    const version = geofenceTargetsProjection.version;
    await typedCollection(documents, geofenceRoutes, physicalCollection(geofenceRoutes.name, version)).put([
      {
        id: 'r-1',
        document: {
          routeId: 'r-1',
          depotId: 'ams',
          status: 'active',
          vehicleId: 'v-1',
          stops: [{ stopId: 's-1', ...stop }],
          updatedAt: new Date(start).toISOString(),
        },
      },
    ]);

    const drive = [ping(0, 500), ping(10, 300), ping(20, 120), ping(30, 40), ping(40, 15), ping(50, 5)];
    for (const round of [1, 2]) t.true(E.isRight(await bus.telemetryPublisher.publish(drive)), `round ${round} published`);
    t.true(await until(() => counters.pings >= drive.length * 2), 'every ping handled');
    // A ping past the lateness decides them all.
    t.true(E.isRight(await bus.telemetryPublisher.publish([ping(200, 5), ping(200, 5)])));
    const entered = async () => (await store.readStream('vehicle-v-1')).filter((event) => event.type === 'vehicle.geofence-entered.v1');
    t.true(await until(async () => (await entered()).length > 0), 'the entered fact');
    t.true(await until(() => counters.pings >= drive.length * 2 + 2));
    const facts = await entered();
    t.is(facts.length, 1);
    t.like(facts[0]?.data, { fenceId: 'stop:r-1:s-1', recordedAt: drive[3]!.recordedAt });
  });
