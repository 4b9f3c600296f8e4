// The driver scores' distance on the cloud wiring's emulators: pings published twice, reversed, on the
// unordered telemetry topic land in Firestore through the distance slots' own Pub/Sub subscription as each
// slot's earliest ping, and a driver's day read from Firestore has the distance they drove.
import { northOf } from '@meridian/geofence';
import { createFirestoreDocumentStore } from '@meridian/firestore';
import { greatCircleMetres, silentLogger, typedCollection } from '@meridian/kernel';
import { environmentFor } from '@meridian/kernel/testing';
import {
  distanceSlots,
  driverRoutes,
  driverScoreQueries,
  driverScoresProjection,
  mergeSlots,
  physicalCollection,
  roundedKm,
} from '@meridian/projections';
import { TelemetryPing } from '@meridian/vehicle';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { randomUUID } from 'node:crypto';
import { openBus } from './bus.ts';
import { distanceSlotsConsumer, startConsumers } from './consumers.ts';

const pubsubHost = environmentFor(test, 'distance slots on Pub/Sub', 'PUBSUB_EMULATOR_HOST', { requiredUnderCi: true });
const firestoreHost = environmentFor(test, 'distance slots on Firestore', 'FIRESTORE_EMULATOR_HOST', { requiredUnderCi: true });

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
};

const depot = { lat: 52.37, lng: 4.89 };
const start = Date.parse('2026-12-07T09:00:00Z');

/** v-1, `second`s after 09:00, driven north at 10 m/s. */
const ping = (second: number): TelemetryPing => {
  const decoded = TelemetryPing.decode({
    vehicleId: 'v-1',
    ...northOf(depot, second * 10),
    speed: 36,
    heading: 0,
    recordedAt: new Date(start + second * 1000).toISOString(),
  });
  if (E.isLeft(decoded)) throw new Error('not a valid ping');
  return decoded.right;
};

if (pubsubHost !== undefined && firestoreHost !== undefined)
  test("pings published twice on the unordered topic are stored as each slot's earliest, and read back as the driver's distance", async (t) => {
    const project = `meridian-distance-${randomUUID().slice(0, 8)}`;
    const bus = await openBus(
      { MERIDIAN_BUS: 'pubsub', PUBSUB_EMULATOR_HOST: pubsubHost, GOOGLE_CLOUD_PROJECT: project, MERIDIAN_PROVISION: 'true' },
      { logger: silentLogger },
    );
    const documents = createFirestoreDocumentStore({ projectId: project });
    const consumers = startConsumers([distanceSlotsConsumer({ bus, documents, logger: silentLogger })], { logger: silentLogger });
    t.teardown(async () => {
      await consumers.stop();
      await documents.close();
      await bus.close();
    });
    // Five minutes, a ping every 5 s: 11 slots (0, 30, ... 300 s).
    const drive = Array.from({ length: 61 }, (_, i) => ping(i * 5));
    for (const round of [[...drive].reverse(), drive]) t.true(E.isRight(await bus.telemetryPublisher.publish(round)));
    const expected = mergeSlots(drive);
    const slots = typedCollection(documents, distanceSlots);
    const stored = async () => new Map((await slots.query({ limit: 1000 })).documents.map(({ id, document }) => [id, document]));
    t.true(
      await until(async () => {
        const now = await stored();
        return [...expected].every(([id, slot]) => now.get(id)?.recordedAt === slot.recordedAt);
      }),
      'every slot holds its earliest ping',
    );
    t.deepEqual(await stored(), expected);

    // The route d-1 drove in v-1 from 09:01 to 09:04: three minutes at 10 m/s.
    const version = driverScoresProjection.version;
    await typedCollection(documents, driverRoutes, physicalCollection(driverRoutes.name, version)).put([
      {
        id: 'r-1',
        document: {
          routeId: 'r-1',
          driverId: 'd-1',
          vehicleId: 'v-1',
          day: '2026-12-07',
          startedAt: '2026-12-07T09:01:00.000Z',
          endedAt: '2026-12-07T09:04:00.000Z',
        },
      },
    ]);
    const queries = driverScoreQueries(documents, version, { now: () => new Date('2026-12-07T18:00:00Z') });
    const [day] = await queries.scores('d-1', ['2026-12-07']);
    t.is(day?.distanceKm, roundedKm(greatCircleMetres(ping(60), ping(240))));
    t.is(day?.distanceKm, 1.8);
  });
