import type { RecordedEvent } from '@meridian/kernel';
import { givenProjection } from '@meridian/kernel/testing';
import { routeEvents, type RouteEvent } from '@meridian/route';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { at, createTestLog, id, openDocuments, routeFacts, utcAt, type StopPlan } from '../testing/index.ts';
import { vehicleEvents, type Metres, type VehicleEvent, type VehicleId } from '@meridian/vehicle';
import { routeBoardProjection, routes } from './projection.ts';
import { routeBoardQueries } from './queries.ts';
import type { RouteBoardView } from './view.ts';

const open = async (t: { teardown: (fn: () => Promise<void>) => void }) => {
  const documents = await openDocuments(routeBoardProjection);
  t.teardown(() => documents.close());
  return { documents, queries: routeBoardQueries(documents) };
};

const s1: StopPlan = { stopId: 's-1', parcelIds: ['p-1', 'p-2'] };
const s2: StopPlan = { stopId: 's-2', parcelIds: ['p-3'] };
const s3: StopPlan = { stopId: 's-3', parcelIds: ['p-4'] };
const r = routeFacts('r-1');

/** A day on the road: planned, assigned, started, one stop done, the rest re-sequenced, one skipped, finished. */
const day: RouteEvent[] = [
  r.planned([s1, s2, s3], '06:30'),
  r.vehicleAssigned('v-1', 'd-1', ['p-1', 'p-2', 'p-3', 'p-4'], '07:00'),
  r.started('v-1', 'd-1', ['s-1', 's-2', 's-3'], '08:05'),
  r.stopCompleted(s1, 'v-1', 2, '08:40'),
  r.resequenced(['s-3', 's-2'], '08:45'),
  r.stopSkipped(s3, 'v-1', 1, '09:10'),
  r.stopCompleted(s2, 'v-1', 0, '09:30'),
  r.finished('v-1', 'd-1', 2, 1, '10:00'),
];

const record = (events: readonly RouteEvent[], streamId = 'route-r-1'): RecordedEvent[] =>
  createTestLog().recordAll(routeEvents, streamId, events);

const stopOf = (plan: StopPlan, index: number) => ({
  stopId: plan.stopId,
  location: { lat: 52.3 + index / 100, lng: 4.9 },
  parcelIds: [...plan.parcelIds],
  status: 'pending' as const,
  completedAt: null,
  skippedAt: null,
  skipReason: null,
  eta: null,
  etaErrorSeconds: null,
  arrivedAt: null,
});

const given = givenProjection(routeBoardProjection);

const plannedBoard: RouteBoardView = {
  routeId: 'r-1',
  depotId: 'ams-1',
  status: 'Planned',
  dispatchWindow: { from: utcAt('08:00'), to: utcAt('12:00') },
  vehicleId: null,
  driverId: null,
  stops: [stopOf(s1, 0), stopOf(s2, 1), stopOf(s3, 2)],
  refusedParcels: [],
  progress: { total: 3, completed: 0, skipped: 0, pending: 3, percent: 0 },
  eta: null,
  etaAccuracy: { measuredStops: 0, meanAbsoluteErrorSeconds: null },
  plannedAt: utcAt('06:30'),
  startedAt: null,
  finishedAt: null,
  cancelledAt: null,
  cancellationReason: null,
  updatedAt: utcAt('06:30'),
  revision: 0,
};

test(
  'puts a planned route on the board with every stop pending',
  given(record(day.slice(0, 1))).thenDocuments(routes, { 'r-1': plannedBoard }),
);

test('the runtime writes the board the projection makes, and the query serves it', async (t) => {
  const { documents, queries } = await open(t);
  await applyEvents(documents, routeBoardProjection, record(day.slice(0, 1)));
  t.deepEqual(await queries.byId('r-1'), plannedBoard);
});

const order = (view: RouteBoardView | undefined) => view?.stops.map((stop) => `${stop.stopId}:${stop.status}`);
const events = record(day);

test(
  'a route gets its crew when a vehicle is assigned',
  given(events.slice(0, 2)).thenDocumentLike(routes, 'r-1', {
    status: 'Assigned',
    vehicleId: 'v-1',
    driverId: 'd-1',
    updatedAt: utcAt('07:00'),
  }),
);

test(
  'a started route counts its stops done, in the current visiting order',
  given(events.slice(0, 5)).then((t, view) => {
    const board = view.documentOf(routes, 'r-1');
    t.like(board, {
      status: 'InProgress',
      startedAt: utcAt('08:05'),
      progress: { total: 3, completed: 1, skipped: 0, pending: 2, percent: 33 },
    });
    t.deepEqual(order(board), ['s-1:completed', 's-3:pending', 's-2:pending']);
    t.is(board?.stops[0]?.completedAt, utcAt('08:40'));
  }),
);

test(
  'a finished route shows each stop completed or skipped, with its reason',
  given(events).then((t, view) => {
    const board = view.documentOf(routes, 'r-1');
    t.like(board, { status: 'Finished', finishedAt: utcAt('10:00'), updatedAt: utcAt('10:00'), revision: 7 });
    t.deepEqual(order(board), ['s-1:completed', 's-3:skipped', 's-2:completed']);
    t.deepEqual(board?.progress, { total: 3, completed: 2, skipped: 1, pending: 0, percent: 100 });
    t.like(board?.stops[1], { skippedAt: utcAt('09:10'), skipReason: 'road closed', completedAt: null });
  }),
);

test(
  'shows a cancellation with its reason, keeping the crew it had',
  given(
    record([
      r.planned([s1, s2], '06:30'),
      r.vehicleAssigned('v-1', 'd-1', ['p-1', 'p-2', 'p-3'], '07:00'),
      r.cancelled(['p-1', 'p-2', 'p-3'], '07:30'),
    ]),
  ).thenDocumentLike(routes, 'r-1', {
    status: 'Cancelled',
    cancelledAt: utcAt('07:30'),
    cancellationReason: 'storm warning',
    vehicleId: 'v-1',
    driverId: 'd-1',
  }),
);

test(
  'shows a route cancelled before it had a crew without one',
  given(record([r.planned([s1], '06:30'), r.cancelled(['p-1', 'p-2'], '06:50')])).thenDocumentLike(routes, 'r-1', {
    status: 'Cancelled',
    vehicleId: null,
    driverId: null,
    progress: { pending: 1, percent: 0 },
  }),
);

test('shows a parcel that refused to join the route, and drops it from its stop', async (t) => {
  const { documents, queries } = await open(t);
  await applyEvents(documents, routeBoardProjection, record([r.planned([s1, s2], '06:30'), r.parcelRefused(s1, 'p-2', '06:31')]));
  const board = await queries.byId('r-1');
  t.deepEqual(board?.refusedParcels, [
    { parcelId: 'p-2', stopId: 's-1', code: 'ParcelNotAssignable', reason: 'the parcel is Cancelled', refusedAt: utcAt('06:31') },
  ]);
  t.deepEqual(
    board?.stops.map((stop) => stop.parcelIds),
    [['p-1'], ['p-3']],
  );
  t.like(board, { updatedAt: utcAt('06:31'), revision: 1, progress: { total: 2, pending: 2 } });
});

test('applying the same events again changes nothing', async (t) => {
  const { documents, queries } = await open(t);
  const events = record(day);
  await applyEvents(documents, routeBoardProjection, events);
  const before = await queries.byId('r-1');
  t.deepEqual(
    await applyEvents(documents, routeBoardProjection, events),
    events.map(() => 'duplicate'),
  );
  t.deepEqual(await queries.byId('r-1'), before);
});

test('refuses an event that arrives before an earlier revision of its stream, and applies it after', async (t) => {
  const { documents, queries } = await open(t);
  const [planned, assigned, started, completed] = record(day) as [RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent];
  t.deepEqual(await applyEvents(documents, routeBoardProjection, [planned, assigned, completed, started]), [
    'applied',
    'applied',
    'gap',
    'gap',
  ]);
  t.like(await queries.byId('r-1'), { status: 'Assigned', revision: 1 });
  t.deepEqual(await applyEvents(documents, routeBoardProjection, [started, completed]), ['applied', 'applied']);
  t.like(await queries.byId('r-1'), { status: 'InProgress', revision: 3, progress: { completed: 1 } });
});

// Arrival: the vehicle's geofence fact for one of the route's stops.
const entered = (stopId: string, recordedAt: string, routeId = 'r-1'): VehicleEvent => ({
  type: 'VehicleGeofenceEntered',
  data: {
    vehicleId: 'v-1' as VehicleId,
    depotId: id('ams-1'),
    fenceId: id(`stop:${routeId}:${stopId}`),
    fenceKind: 'stop',
    distanceM: 12 as Metres,
    recordedAt: at(recordedAt),
    at: at(recordedAt),
    routeId: id(routeId),
    stopId: id(stopId),
  },
});
const vehicleLog = (events: readonly VehicleEvent[]): RecordedEvent[] => createTestLog().recordAll(vehicleEvents, 'vehicle-v-1', events);

test(
  "a stop shows when the route's vehicle first entered its geofence; a later entry keeps the first, other routes' stops change nothing",
  given([...events.slice(0, 3), ...vehicleLog([entered('s-1', '08:20'), entered('s-1', '08:50'), entered('s-2', '08:30', 'r-2')])]).then(
    (t, view) => {
      const board = view.documentOf(routes, 'r-1');
      t.deepEqual(
        board?.stops.map((stop) => [stop.stopId, stop.arrivedAt]),
        [
          ['s-1', utcAt('08:20')],
          ['s-2', null],
          ['s-3', null],
        ],
      );
      t.is(board?.revision, 2, "the revision is the route stream's");
    },
  ),
);
