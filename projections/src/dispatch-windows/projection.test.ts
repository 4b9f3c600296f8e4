import { dispatchEvents, windowEvents, type DispatchEvent } from '@meridian/dispatch';
import { day, depot, depotId, kg, p1, p2, p3, p4, r1, r2, v1, v2, v3, windowId, windowParcels } from '@meridian/dispatch/testing';
import type { RecordedEvent } from '@meridian/kernel';
import { givenProjection } from '@meridian/kernel/testing';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, openDocuments } from '../testing/index.ts';
import { dispatchProgress, dispatchRoutes, dispatchTimeline, dispatchWindowsProjection, timelineEntryId } from './projection.ts';
import { dispatchWindowQueries } from './queries.ts';

const open = async (t: { teardown: (fn: () => Promise<void>) => void }) => {
  const documents = await openDocuments(dispatchWindowsProjection);
  t.teardown(() => documents.close());
  return { documents, queries: dispatchWindowQueries(documents) };
};

const dispatchWindow = { from: day('06:00'), to: day('10:00') };
const times = { acceptanceSeconds: 900, serviceSeconds: 120, optimizerSeconds: 5 };

const sagaStream = `dispatch-${windowId}`;

/** A step record as the runtime appends it after a reaction. */
const step = (log: ReturnType<typeof createTestLog>, input: unknown, commands: { aggregate: string; type: string }[]): RecordedEvent => {
  const recorded = log.record(dispatchEvents, sagaStream, { type: 'VehicleReleased', data: { vehicleId: v1, at: day('06:00') } });
  return {
    ...recorded,
    type: 'dispatch.step-recorded.v1',
    data: {
      inputKey: `key-${recorded.streamRevision}`,
      input,
      correlationId: 'c-1',
      commands: commands.map((c) => ({ ...c, data: {} })),
      timers: [],
      activities: [],
    },
  };
};

test("a window's history: what was asked, where the saga stands, each route, and every step with its time", async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const saga = (event: DispatchEvent) => log.record(dispatchEvents, sagaStream, event);
  const opened = log.record(windowEvents, `window-${windowId}`, {
    type: 'DispatchWindowOpened',
    data: { windowId, depotId, depot, dispatchWindow, parcels: windowParcels, vehicleIds: [v1, v2, v3], ...times, openedAt: day('05:59') },
  });
  await applyEvents(documents, dispatchWindowsProjection, [opened]);
  t.like(await queries.byId(windowId), { windowId, phase: 'opened', parcelCount: 4, progress: null, routes: [], openedBy: 'dispatcher-1' });

  const history = [
    saga({
      type: 'DispatchStarted',
      data: { windowId, depotId, depot, dispatchWindow, parcels: windowParcels, vehicleIds: [v1, v2, v3], ...times, at: day('06:00') },
    }),
    step(log, { kind: 'fact', eventId: 'e-1', type: 'window.opened.v1', streamId: `window-${windowId}`, recordedAt: day('06:00') }, [
      { aggregate: 'vehicle', type: 'ReserveVehicle' },
      { aggregate: 'vehicle', type: 'ReserveVehicle' },
      { aggregate: 'vehicle', type: 'ReserveVehicle' },
    ]),
    ...[v1, v2, v3].map((vehicleId) =>
      saga({ type: 'VehicleSecured', data: { vehicleId, driverId: 'd-1' as never, capacityKg: kg(100), at: day('06:00') } }),
    ),
    saga({ type: 'OptimizationRequested', data: { attempt: 1, vehicleIds: [v1, v2, v3], startAt: day('06:00'), at: day('06:00') } }),
    saga({
      type: 'OptimizationFailed',
      data: { attempt: 1, error: 'optimizer unavailable: down', retryAt: day('06:01'), at: day('06:00') },
    }),
    step(
      log,
      {
        kind: 'activity',
        activity: 'optimize',
        key: 'optimize-1',
        outcome: { ok: false, error: 'optimizer unavailable: down' },
        at: day('06:00'),
      },
      [],
    ),
    saga({ type: 'OptimizationRequested', data: { attempt: 2, vehicleIds: [v1, v2, v3], startAt: day('06:00'), at: day('06:01') } }),
    saga({
      type: 'RoutesOptimized',
      data: {
        attempt: 2,
        optimizer: 'embedded',
        distanceMetres: 12_000,
        routes: [
          { routeId: r1, vehicleId: v1, parcelIds: [p1, p2], distanceMetres: 5_000 },
          { routeId: r2, vehicleId: v2, parcelIds: [p3, p4], distanceMetres: 7_000 },
        ],
        leftOut: [],
        at: day('06:01'),
      },
    }),
    saga({ type: 'RouteFilled', data: { routeId: r1, parcelIds: [p1, p2], loadKg: kg(80), at: day('06:02') } }),
    saga({
      type: 'RouteOffered',
      data: { routeId: r1, vehicleId: v1, driverId: 'd-1' as never, attempt: 1, expiresAt: day('06:17'), at: day('06:02') },
    }),
    saga({ type: 'RouteOfferDeclined', data: { routeId: r1, vehicleId: v1, attempt: 1, reason: 'flat tyre', at: day('06:03') } }),
    saga({
      type: 'RouteOffered',
      data: { routeId: r1, vehicleId: v3, driverId: 'd-3' as never, attempt: 2, expiresAt: day('06:18'), at: day('06:03') },
    }),
    saga({ type: 'RouteAccepted', data: { routeId: r1, vehicleId: v3, driverId: 'd-3' as never, attempt: 2, at: day('06:04') } }),
    saga({
      type: 'RouteConfirmed',
      data: { routeId: r1, vehicleId: v3, driverId: 'd-3' as never, parcelIds: [p1, p2], loadKg: kg(80), at: day('06:05') },
    }),
    saga({ type: 'RouteDropped', data: { routeId: r2, reason: 'no-driver', detail: 'no vehicle left to offer it to', at: day('06:20') } }),
    saga({
      type: 'DispatchCompleted',
      data: {
        status: 'partly-dispatched',
        routes: [{ routeId: r1, vehicleId: v3, driverId: 'd-3' as never, parcelIds: [p1, p2], loadKg: kg(80) }],
        notDispatched: [p3, p4].map((parcelId) => ({ parcelId, reason: 'no-driver', detail: 'no vehicle left to offer it to' })),
        at: day('06:21'),
      },
    }),
  ];
  await applyEvents(documents, dispatchWindowsProjection, history);

  const view = await queries.byId(windowId);
  t.like(view, {
    phase: 'completed',
    progress: {
      vehiclesSecured: 3,
      optimizerAttempts: 2,
      optimizerError: 'optimizer unavailable: down',
      optimizerRetryAt: null,
      optimizer: 'embedded',
      routesPlanned: 2,
      routesConfirmed: 1,
      routesDropped: 1,
      outcome: 'partly-dispatched',
      parcelsDispatched: 2,
      completedAt: '2026-11-21T06:21:00.000Z',
    },
  });
  t.deepEqual(
    view?.progress?.notDispatched.map((p) => p.parcelId),
    [p3, p4],
  );
  t.like(view?.routes[0], { routeId: r1, status: 'confirmed', vehicleId: v3, driverId: 'd-3', offers: 2, declines: 1, loadKg: 80 });
  t.like(view?.routes[1], { routeId: r2, status: 'dropped', dropReason: 'no-driver', offers: 0 });

  const timeline = await queries.timeline(windowId, { limit: 500 });
  t.is(timeline.documents.length, history.length);
  t.deepEqual(
    timeline.documents.map((entry) => entry.revision),
    history.map((_, index) => index),
  );
  t.like(timeline.documents[0], { kind: 'event', what: 'DispatchStarted', detail: { parcelCount: 4 } });
  t.false('parcels' in Object(timeline.documents[0]?.detail), "the window's parcels are counted, not copied");
  t.like(timeline.documents[1], {
    kind: 'step',
    what: 'fact window.opened.v1',
    detail: { input: { kind: 'fact', at: day('06:00') }, commands: [{ command: 'vehicle.ReserveVehicle', count: 3 }] },
  });
  t.like(
    timeline.documents.find((entry) => entry.what === 'OptimizationFailed'),
    { detail: { attempt: 1, retryAt: day('06:01') } },
  );
  t.like(
    timeline.documents.find((entry) => entry.what.startsWith('activity')),
    {
      what: 'activity optimize failed',
      detail: { input: { ok: false, error: 'optimizer unavailable: down' } },
    },
  );

  const page = await queries.timeline(windowId, { limit: 5 });
  const next = await queries.timeline(windowId, { limit: 5, ...(page.next !== undefined && { after: page.next }) });
  t.deepEqual(
    next.documents.map((entry) => entry.revision),
    [5, 6, 7, 8, 9],
  );
});

test('windows are listed most recently opened first, by depot if asked', async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const openedAt = ['05:00', '05:30', '05:10'];
  await applyEvents(
    documents,
    dispatchWindowsProjection,
    openedAt.map((time, index) =>
      log.record(windowEvents, `window-w-${index}`, {
        type: 'DispatchWindowOpened',
        data: {
          windowId: `w-${index}` as never,
          depotId: index === 2 ? ('rtm' as never) : depotId,
          depot,
          dispatchWindow,
          parcels: windowParcels,
          vehicleIds: [v1],
          ...times,
          openedAt: day(time),
        },
      }),
    ),
  );
  t.deepEqual(
    (await queries.list()).documents.map((w) => w.windowId),
    ['w-1', 'w-2', 'w-0'],
  );
  t.deepEqual(
    (await queries.list({ depotId })).documents.map((w) => w.windowId),
    ['w-1', 'w-0'],
  );
});

const given = givenProjection(dispatchWindowsProjection);

/** A saga that planned one route and offered it to v-1 until 06:17, in its own stream. */
const offeredStory = () => {
  const log = createTestLog();
  return log.recordAll(dispatchEvents, sagaStream, [
    {
      type: 'DispatchStarted',
      data: { windowId, depotId, depot, dispatchWindow, parcels: windowParcels, vehicleIds: [v1], ...times, at: day('06:00') },
    },
    {
      type: 'RoutesOptimized',
      data: {
        attempt: 1,
        optimizer: 'embedded',
        distanceMetres: 5_000,
        routes: [{ routeId: r1, vehicleId: v1, parcelIds: [p1, p2], distanceMetres: 5_000 }],
        leftOut: [{ parcelId: p3, reason: 'no-room' }],
        at: day('06:01'),
      },
    },
    { type: 'RouteFilled', data: { routeId: r1, parcelIds: [p1, p2], loadKg: kg(80), at: day('06:02') } },
    {
      type: 'RouteOffered',
      data: { routeId: r1, vehicleId: v1, driverId: 'd-1' as never, attempt: 1, expiresAt: day('06:17'), at: day('06:02') },
    },
  ]);
};

test(
  "an offered route's document: its van and driver, its load, the offer's deadline (every document of its collection's type)",
  given(offeredStory()).thenDocumentLike(dispatchRoutes, r1, {
    windowId,
    status: 'offered',
    vehicleId: v1,
    driverId: 'd-1',
    parcelIds: [p1, p2],
    loadKg: 80,
    offers: 1,
    offerExpiresAt: day('06:17'),
  }),
);

test(
  "the window's progress once planned: the optimizer, the routes planned, the parcels it left out",
  given(offeredStory()).thenDocumentLike(dispatchProgress, windowId, {
    phase: 'dispatching',
    optimizer: 'embedded',
    optimizerAttempts: 0,
    routesPlanned: 1,
    parcelsLeftOut: 1,
    revision: 3,
  }),
);

test('a step record is a timeline entry of its own, decoded', (t) => {
  const log = createTestLog();
  const entry = step(log, { kind: 'timer', name: 'offer-w-1.r1-1', dueAt: day('06:17'), timerId: 't-1' }, [
    { aggregate: 'vehicle', type: 'WithdrawRouteOffer' },
  ]);
  return given([entry]).thenDocumentLike(dispatchTimeline, timelineEntryId(windowId, 0), {
    kind: 'step',
    what: 'timer offer-w-1.r1-1',
    detail: { input: { kind: 'timer', at: day('06:17') }, commands: [{ command: 'vehicle.WithdrawRouteOffer', count: 1 }] },
  })(t);
});
