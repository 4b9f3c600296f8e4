// Driver scores, given the facts of a route and its parcels: deliveries on time or late against each
// parcel's SLA deadline, failed attempts, on the driver the route had; the same whatever the order between
// the route's stream and the parcels' streams, and however often a fact is applied.
import { northOf } from '@meridian/geofence';
import { greatCircleMetres, typedCollection } from '@meridian/kernel';
import { givenProjection } from '@meridian/kernel/testing';
import { parcelEvents } from '@meridian/parcel';
import { routeEvents } from '@meridian/route';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, openDocuments, parcelFacts, pingOf, routeFacts, utcAt } from '../testing/index.ts';
import { deliveryOutcomesCollection, driverRoutes, driverScoresProjection, outcomeId } from './projection.ts';
import { distanceSlots, mergeSlots, roundedKm } from './distance.ts';
import { driverScoreQueries } from './queries.ts';

const given = givenProjection(driverScoresProjection);
const stop = { stopId: 's-1', parcelIds: ['p-1', 'p-2', 'p-3'] };
const route = routeFacts('r-1');
const onTime = parcelFacts('p-1', { deadline: '18:00' });
const late = parcelFacts('p-2', { deadline: '09:00' });
const failedTwice = parcelFacts('p-3');

/** A day of route r-1, driven by d-7 in v-1: p-1 delivered on time, p-2 late, p-3 failed once then delivered. */
const dayOfRoute = () => {
  const log = createTestLog();
  const routeStream = [
    ...log.recordAll(routeEvents, 'route-r-1', [
      route.planned([stop], '06:30'),
      route.vehicleAssigned('v-1', 'd-7', stop.parcelIds, '07:00'),
      route.started('v-1', 'd-7', ['s-1'], '08:00'),
    ]),
  ];
  const parcels = [
    ...log.recordAll(parcelEvents, 'parcel-p-1', [
      onTime.outForDelivery('r-1', 'v-1', 1, '08:00'),
      onTime.delivered('r-1', 'v-1', 1, '10:00'),
    ]),
    ...log.recordAll(parcelEvents, 'parcel-p-2', [late.outForDelivery('r-1', 'v-1', 1, '08:00'), late.delivered('r-1', 'v-1', 1, '10:05')]),
    ...log.recordAll(parcelEvents, 'parcel-p-3', [
      failedTwice.outForDelivery('r-1', 'v-1', 1, '08:00'),
      failedTwice.failed('r-1', 'v-1', 1, '09:30'),
      failedTwice.outForDelivery('r-1', 'v-1', 2, '10:30'),
      failedTwice.delivered('r-1', 'v-1', 2, '11:00'),
    ]),
  ];
  const finished = log.record(routeEvents, 'route-r-1', route.finished('v-1', 'd-7', 1, 0, '12:00'));
  return { routeStream: [...routeStream, finished], parcels };
};

test('a route gets its driver, vehicle, day and when it ran', (t) => {
  const { routeStream } = dayOfRoute();
  given(routeStream).thenDocument(driverRoutes, 'r-1', {
    routeId: 'r-1',
    driverId: 'd-7',
    vehicleId: 'v-1',
    day: '2026-11-21',
    startedAt: utcAt('08:00'),
    endedAt: utcAt('12:00'),
  })(t);
});

test('each attempt has one outcome: on time against its SLA deadline, late, or failed', (t) => {
  const { parcels } = dayOfRoute();
  const outcome = (
    parcelId: string,
    attempt: number,
    deadline: string,
    kind: 'delivered' | 'failed',
    at: string,
    onTime: boolean | null,
  ) => ({
    parcelId,
    routeId: 'r-1',
    attempt,
    slaDeadline: utcAt(deadline),
    outcome: kind,
    at: utcAt(at),
    day: '2026-11-21',
    onTime,
  });
  given(parcels).thenDocuments(deliveryOutcomesCollection, {
    [outcomeId('p-1', 1)]: outcome('p-1', 1, '18:00', 'delivered', '10:00', true),
    [outcomeId('p-2', 1)]: outcome('p-2', 1, '09:00', 'delivered', '10:05', false),
    [outcomeId('p-3', 1)]: outcome('p-3', 1, '18:00', 'failed', '09:30', null),
    [outcomeId('p-3', 2)]: outcome('p-3', 2, '18:00', 'delivered', '11:00', true),
  })(t);
});

test('an attempt still out counts for nothing yet', (t) => {
  const log = createTestLog();
  given(log.recordAll(parcelEvents, 'parcel-p-1', [onTime.outForDelivery('r-1', 'v-1', 1, '08:00')])).thenDocumentLike(
    deliveryOutcomesCollection,
    outcomeId('p-1', 1),
    { outcome: 'out', at: null, day: null, onTime: null },
  )(t);
});

test('the same documents whether the parcels come before the route, after it, or twice', (t) => {
  const { routeStream, parcels } = dayOfRoute();
  const routeFirst = given([...routeStream, ...parcels]);
  const parcelsFirst = [...parcels, ...routeStream];
  routeFirst.then((t2, view) => {
    given(parcelsFirst).then((_, other) => {
      t2.deepEqual(other.documentsOf(deliveryOutcomesCollection), view.documentsOf(deliveryOutcomesCollection));
      t2.deepEqual(other.documentsOf(driverRoutes), view.documentsOf(driverRoutes));
    })(t2);
    given([...routeStream, ...parcels, ...routeStream, ...parcels]).then((_, twice) => {
      t2.deepEqual(twice.documentsOf(deliveryOutcomesCollection), view.documentsOf(deliveryOutcomesCollection));
    })(t2);
  })(t);
});

test("a driver's day: deliveries, the on-time rate, failed attempts; another driver's and other days score nothing", async (t) => {
  const documents = await openDocuments(driverScoresProjection);
  t.teardown(() => documents.close());
  const { routeStream, parcels } = dayOfRoute();
  await applyEvents(documents, driverScoresProjection, [...parcels, ...routeStream]);
  const queries = driverScoreQueries(documents, driverScoresProjection.version, { now: () => new Date(utcAt('18:00')) });
  t.deepEqual(await queries.scores('d-7', ['2026-11-21', '2026-11-22']), [
    {
      driverId: 'd-7',
      day: '2026-11-21',
      deliveries: 3,
      onTimeDeliveries: 2,
      onTimeRate: 0.667,
      failedAttempts: 1,
      routeIds: ['r-1'],
      distanceKm: 0,
    },
    {
      driverId: 'd-7',
      day: '2026-11-22',
      deliveries: 0,
      onTimeDeliveries: 0,
      onTimeRate: null,
      failedAttempts: 0,
      routeIds: [],
      distanceKm: 0,
    },
  ]);
  t.deepEqual(
    (await queries.scores('d-8', ['2026-11-21'])).map(({ deliveries, failedAttempts }) => [deliveries, failedAttempts]),
    [[0, 0]],
  );
});

test("a driver's distance: the route's van's slots from its start to its end; other vans, and days no longer kept, count nothing", async (t) => {
  const documents = await openDocuments(driverScoresProjection);
  t.teardown(() => documents.close());
  const { routeStream } = dayOfRoute();
  await applyEvents(documents, driverScoresProjection, routeStream);
  // v-1 drives north at 10 m/s, a ping every 10 s, from 07:30 to 12:30 (the route ran 08:00 to 12:00); v-2 beside it.
  const depot = { lat: 52.37, lng: 4.89 };
  const from = Date.parse(utcAt('07:30'));
  const pings = Array.from({ length: 5 * 360 + 1 }, (_, i) => i * 10).flatMap((second) => [
    pingOf({ vehicleId: 'v-1', ...northOf(depot, second * 10), recordedAt: new Date(from + second * 1000).toISOString() }),
    pingOf({ vehicleId: 'v-2', ...northOf(depot, second * 20), recordedAt: new Date(from + second * 1000).toISOString() }),
  ]);
  const slots = mergeSlots(pings);
  await typedCollection(documents, distanceSlots).put([...slots].map(([id, document]) => ({ id, document })));
  const scoresAt = (now: string) => driverScoreQueries(documents, driverScoresProjection.version, { now: () => new Date(now) });
  const [day] = await scoresAt(utcAt('18:00')).scores('d-7', ['2026-11-21']);
  // Four hours at 10 m/s north: 144 km along the meridian.
  const expected = greatCircleMetres(northOf(depot, 1800 * 10), northOf(depot, (1800 + 4 * 3600) * 10));
  t.is(day?.distanceKm, roundedKm(expected));
  t.true(Math.abs((day?.distanceKm ?? 0) - 144) <= 0.1, `${day?.distanceKm} km`);
  const [forgotten] = await scoresAt('2027-01-10T00:00:00Z').scores('d-7', ['2026-11-21']);
  t.is(forgotten?.distanceKm, null, 'more than 35 days ago: its slots have expired');
  t.is(forgotten?.deliveries, 0);
});
