import type { GeoPoint, Identifier, IsoDateTime, NonEmptyString } from '@meridian/kernel';
import { givenFor } from '@meridian/kernel/testing';
import test from 'ava';
import type { RouteCommand } from './commands.ts';
import { routeDecider } from './decider.ts';
import type {
  RouteCancelled,
  RouteEvent,
  RoutePlanned,
  RouteStarted,
  RouteStopCompleted,
  RouteStopSkipped,
  RouteVehicleAssigned,
} from './events.ts';
import { evolveRoute } from './state.ts';
import type { DispatchWindow, PlannedStop, RouteId } from './values.ts';

const given = givenFor(routeDecider);

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const routeId = 'r-1' as RouteId;
const depotId = 'ams-1' as Identifier;
const vehicleId = 'v-1' as Identifier;
const driverId = 'd-1' as Identifier;
const id = (s: string) => s as Identifier;
const at = (iso: string) => iso as IsoDateTime;
const text = (s: string) => s as NonEmptyString;
const now = new Date('2026-11-21T09:00:00Z');
const nowIso = at(now.toISOString());
const dispatchWindow: DispatchWindow = { from: at('2026-11-21T08:00:00Z'), to: at('2026-11-21T18:00:00Z') };
const location = { lat: 52.37, lng: 4.9 } as GeoPoint;
const stop = (stopId: string, ...parcels: string[]): PlannedStop => ({ stopId: id(stopId), location, parcelIds: parcels.map(id) });
const stops = [stop('s-1', 'p-1', 'p-2'), stop('s-2', 'p-3'), stop('s-3', 'p-4')];
const allParcels = ['p-1', 'p-2', 'p-3', 'p-4'].map(id);

const command = <C extends RouteCommand>(type: C['type'], data: C['data'], when = now): RouteCommand =>
  ({ type, data, metadata: { now: when } }) as RouteCommand;

const routePlanned = (over: Partial<RoutePlanned> = {}): RouteEvent => ({
  type: 'RoutePlanned',
  data: { routeId, depotId, dispatchWindow, stops, parcelIds: allParcels, plannedAt: at('2026-11-21T06:00:00Z'), ...over },
});
const planned = routePlanned();
const assigned = (over: Partial<RouteVehicleAssigned> = {}): RouteEvent => ({
  type: 'RouteVehicleAssigned',
  data: { routeId, vehicleId, driverId, dispatchWindow, parcelIds: allParcels, assignedAt: at('2026-11-21T07:00:00Z'), ...over },
});
const routeStarted = (over: Partial<RouteStarted> = {}): RouteEvent => ({
  type: 'RouteStarted',
  data: { routeId, vehicleId, driverId, stopIds: ['s-1', 's-2', 's-3'].map(id), startedAt: at('2026-11-21T08:30:00Z'), ...over },
});
const started = routeStarted();
const completed = (stopId: string, parcelIds: string[], remainingStops: number, over: Partial<RouteStopCompleted> = {}): RouteEvent => ({
  type: 'RouteStopCompleted',
  data: {
    routeId,
    stopId: id(stopId),
    parcelIds: parcelIds.map(id),
    vehicleId,
    remainingStops,
    completedAt: at('2026-11-21T08:45:00Z'),
    ...over,
  },
});
const skipped = (stopId: string, parcelIds: string[], remainingStops: number, over: Partial<RouteStopSkipped> = {}): RouteEvent => ({
  type: 'RouteStopSkipped',
  data: {
    routeId,
    stopId: id(stopId),
    parcelIds: parcelIds.map(id),
    vehicleId,
    remainingStops,
    reason: text('gate closed'),
    skippedAt: at('2026-11-21T08:50:00Z'),
    ...over,
  },
});
const cancelled = (over: Partial<RouteCancelled> = {}): RouteEvent => ({
  type: 'RouteCancelled',
  data: { routeId, reason: text('storm'), releasedParcelIds: allParcels, cancelledAt: nowIso, parcelIds: allParcels, ...over },
});
const finished: RouteEvent = {
  type: 'RouteFinished',
  data: { routeId, vehicleId, driverId, completedStops: 2, skippedStops: 1, finishedAt: nowIso, parcelIds: allParcels },
};
const underWay = [planned, assigned(), started];
const allClosed = [...underWay, completed('s-1', ['p-1', 'p-2'], 2), skipped('s-2', ['p-3'], 1), completed('s-3', ['p-4'], 0)];

const plan = (over: Partial<Extract<RouteCommand, { type: 'PlanRoute' }>['data']> = {}) =>
  command('PlanRoute', { routeId, depotId, dispatchWindow, stops, ...over });

// PlanRoute
test(
  'plans a route with its stops in order and all their parcels',
  given([])
    .when(plan())
    .then([routePlanned({ plannedAt: nowIso })]),
);
test('refuses to plan a route twice', given([planned]).when(plan()).thenRejects('RouteAlreadyPlanned'));
test(
  'refuses a dispatch window that ends before it starts',
  given([])
    .when(plan({ dispatchWindow: { from: dispatchWindow.to, to: dispatchWindow.from } }))
    .thenRejects('InvalidDispatchWindow'),
);
test(
  'refuses a dispatch window of no length',
  given([])
    .when(plan({ dispatchWindow: { from: dispatchWindow.to, to: dispatchWindow.to } }))
    .thenRejects('InvalidDispatchWindow'),
);
test(
  'refuses a dispatch window already over',
  given([])
    .when(plan({ dispatchWindow: { from: at('2026-11-21T06:00:00Z'), to: at('2026-11-21T09:00:00Z') } }))
    .thenRejects('DispatchWindowInPast'),
);
test(
  'refuses two stops with the same id',
  given([])
    .when(plan({ stops: [stop('s-1', 'p-1'), stop('s-1', 'p-2')] }))
    .thenRejects('DuplicateStopId'),
);
test(
  'refuses a parcel on two stops',
  given([])
    .when(plan({ stops: [stop('s-1', 'p-1'), stop('s-2', 'p-1')] }))
    .thenRejects('DuplicateParcelId'),
);
test(
  'refuses a parcel listed twice on one stop',
  given([])
    .when(plan({ stops: [stop('s-1', 'p-1', 'p-1')] }))
    .thenRejects('DuplicateParcelId'),
);
test('refuses any other command on a route never planned', given([]).when(command('StartRoute', { routeId })).thenRejects('RouteNotFound'));

// AssignRouteVehicle
test(
  'assigns a vehicle and a driver to a planned route',
  given([planned])
    .when(command('AssignRouteVehicle', { routeId, vehicleId, driverId }))
    .then([assigned({ assignedAt: nowIso })]),
);
test(
  're-assigns another vehicle before the start, naming the one replaced',
  given([planned, assigned()])
    .when(command('AssignRouteVehicle', { routeId, vehicleId: id('v-2'), driverId }))
    .then([assigned({ vehicleId: id('v-2'), previousVehicleId: vehicleId, assignedAt: nowIso })]),
);
test(
  're-assigns another driver only, naming the driver replaced',
  given([planned, assigned()])
    .when(command('AssignRouteVehicle', { routeId, vehicleId, driverId: id('d-2') }))
    .then([assigned({ driverId: id('d-2'), previousDriverId: driverId, assignedAt: nowIso })]),
);
test(
  'assigning the same vehicle and driver again changes nothing',
  given([planned, assigned()]).when(command('AssignRouteVehicle', { routeId, vehicleId, driverId })).then([]),
);
test(
  'refuses to re-assign a route under way',
  given(underWay)
    .when(command('AssignRouteVehicle', { routeId, vehicleId: id('v-2'), driverId }))
    .thenRejects('RouteAlreadyStarted'),
);
test(
  'refuses to assign a cancelled route',
  given([planned, cancelled()]).when(command('AssignRouteVehicle', { routeId, vehicleId, driverId })).thenRejects('RouteAlreadyCancelled'),
);

// StartRoute
test(
  'starts an assigned route with its stops in order',
  given([planned, assigned()])
    .when(command('StartRoute', { routeId }))
    .then([routeStarted({ startedAt: nowIso })]),
);
test('refuses to start a route with no vehicle', given([planned]).when(command('StartRoute', { routeId })).thenRejects('RouteNotAssigned'));
test(
  'refuses to start once the dispatch window is over',
  given([planned, assigned()])
    .when(command('StartRoute', { routeId }, new Date('2026-11-21T18:00:00Z')))
    .thenRejects('DispatchWindowClosed'),
);
test('refuses to start twice', given(underWay).when(command('StartRoute', { routeId })).thenRejects('RouteAlreadyStarted'));

// CompleteStop
test(
  'completes a pending stop, telling its parcels and what remains',
  given(underWay)
    .when(command('CompleteStop', { routeId, stopId: id('s-2') }))
    .then([completed('s-2', ['p-3'], 2, { completedAt: nowIso })]),
);
test(
  'refuses to complete a stop the route does not have',
  given(underWay)
    .when(command('CompleteStop', { routeId, stopId: id('s-9') }))
    .thenRejects('UnknownStop'),
);
test(
  'refuses to complete a stop twice',
  given([...underWay, completed('s-1', ['p-1', 'p-2'], 2)])
    .when(command('CompleteStop', { routeId, stopId: id('s-1') }))
    .thenRejects('StopAlreadyClosed'),
);
test(
  'refuses to complete a stop before the start',
  given([planned, assigned()])
    .when(command('CompleteStop', { routeId, stopId: id('s-1') }))
    .thenRejects('RouteNotStarted'),
);

// SkipStop
test(
  'skips a pending stop with its reason',
  given(underWay)
    .when(command('SkipStop', { routeId, stopId: id('s-2'), reason: text('gate closed') }))
    .then([skipped('s-2', ['p-3'], 2, { skippedAt: nowIso })]),
);
test(
  'refuses to skip a completed stop',
  given([...underWay, completed('s-1', ['p-1', 'p-2'], 2)])
    .when(command('SkipStop', { routeId, stopId: id('s-1'), reason: text('late') }))
    .thenRejects('StopAlreadyClosed'),
);
test(
  'refuses to skip a stop the route does not have',
  given(underWay)
    .when(command('SkipStop', { routeId, stopId: id('s-9'), reason: text('late') }))
    .thenRejects('UnknownStop'),
);
test(
  'refuses to skip a stop of a finished route',
  given([...allClosed, finished])
    .when(command('SkipStop', { routeId, stopId: id('s-1'), reason: text('late') }))
    .thenRejects('RouteAlreadyFinished'),
);

// ResequenceStops
const resequence = (...stopIds: string[]) => command('ResequenceStops', { routeId, stopIds: stopIds.map(id) });
test(
  're-sequences the stops of a planned route',
  given([planned])
    .when(resequence('s-3', 's-1', 's-2'))
    .then([{ type: 'RouteStopsResequenced', data: { routeId, stopIds: ['s-3', 's-1', 's-2'].map(id), resequencedAt: nowIso } }]),
);
test(
  're-sequences the pending stops under way; closed stops come first, in their order',
  given([...underWay, completed('s-2', ['p-3'], 2)])
    .when(resequence('s-3', 's-1'))
    .thenEvents((t, events, state) => {
      t.deepEqual(events, [{ type: 'RouteStopsResequenced', data: { routeId, stopIds: ['s-3', 's-1'].map(id), resequencedAt: nowIso } }]);
      t.deepEqual(state.status === 'Unplanned' ? [] : state.route.stops.map((s) => `${s.stopId}:${s.status}`), [
        's-2:completed',
        's-3:pending',
        's-1:pending',
      ]);
    }),
);
test(
  'the same order again changes nothing',
  given([planned, assigned()])
    .when(resequence('s-1', 's-2', 's-3'))
    .then([]),
);
test('refuses an order that leaves out a pending stop', given([planned]).when(resequence('s-3', 's-1')).thenRejects('InvalidStopSequence'));
test(
  'refuses an order that names a closed stop',
  given([...underWay, completed('s-1', ['p-1', 'p-2'], 2)])
    .when(resequence('s-1', 's-3', 's-2'))
    .thenRejects('InvalidStopSequence'),
);
test(
  'refuses an order that names a stop twice',
  given([planned])
    .when(resequence('s-1', 's-2', 's-3', 's-1'))
    .thenRejects('InvalidStopSequence'),
);
test(
  'refuses to re-sequence a finished route',
  given([...allClosed, finished])
    .when(resequence('s-1'))
    .thenRejects('RouteAlreadyFinished'),
);
test('says what is wrong with a refused order', (t) => {
  const state = [planned, assigned(), started, completed('s-1', ['p-1', 'p-2'], 2)].reduce(evolveRoute, routeDecider.initialState);
  const decision = routeDecider.decide(resequence('s-2', 's-1', 's-9', 's-9'), state);
  t.like(decision, {
    _tag: 'Left',
    left: { _tag: 'InvalidStopSequence', detail: { missing: ['s-3'], unknown: ['s-9'], closed: ['s-1'], repeated: ['s-9'] } },
  });
});

// FinishRoute
test(
  'finishes a route whose stops are all closed, counting outcomes',
  given(allClosed).when(command('FinishRoute', { routeId })).then([finished]),
);
test(
  'refuses to finish with stops still pending',
  given([...underWay, completed('s-1', ['p-1', 'p-2'], 2)])
    .when(command('FinishRoute', { routeId }))
    .thenRejects('StopsStillPending'),
);
test(
  'refuses to finish a route never started',
  given([planned, assigned()]).when(command('FinishRoute', { routeId })).thenRejects('RouteNotStarted'),
);

// CancelRoute
const cancel = command('CancelRoute', { routeId, reason: text('storm') });
test('cancels a planned route, releasing all its parcels', given([planned]).when(cancel).then([cancelled()]));
test(
  'cancels a route under way, releasing the vehicle and the parcels not handed over (skipped ones too)',
  given([...underWay, completed('s-1', ['p-1', 'p-2'], 2), skipped('s-2', ['p-3'], 1)])
    .when(cancel)
    .then([cancelled({ vehicleId, driverId, releasedParcelIds: ['p-3', 'p-4'].map(id) })]),
);
test(
  'refuses to cancel a finished route',
  given([...allClosed, finished])
    .when(cancel)
    .thenRejects('RouteAlreadyFinished'),
);
test('refuses to cancel twice', given([planned, cancelled()]).when(cancel).thenRejects('RouteAlreadyCancelled'));

// RecordParcelRefusal
const refusal = (parcelId: string) =>
  command('RecordParcelRefusal', {
    routeId,
    parcelId: id(parcelId),
    code: text('ParcelNotAssignable'),
    reason: text('the parcel is Cancelled; only a parcel at the depot can be assigned to a route'),
  });
const refused = (parcelId: string, stopId: string): RouteEvent => ({
  type: 'RouteParcelRefused',
  data: {
    routeId,
    parcelId: id(parcelId),
    stopId: id(stopId),
    code: text('ParcelNotAssignable'),
    reason: text('the parcel is Cancelled; only a parcel at the depot can be assigned to a route'),
    refusedAt: nowIso,
  },
});
test(
  'records a parcel that refused to join the route, naming its stop',
  given([planned])
    .when(refusal('p-2'))
    .then([refused('p-2', 's-1')]),
);
test(
  'a refused parcel is dropped from its stop; the stop keeps its other parcels',
  given([planned])
    .when(refusal('p-2'))
    .thenEvents((t, _, state) =>
      t.deepEqual(state.status === 'Unplanned' ? [] : state.route.stops.map((s) => `${s.stopId}:${s.parcelIds.join('+')}`), [
        's-1:p-1',
        's-2:p-3',
        's-3:p-4',
      ]),
    ),
);
test(
  'records a refusal on a route cancelled since, which then no longer lists the parcel',
  given([planned, cancelled()])
    .when(refusal('p-3'))
    .then([refused('p-3', 's-2')]),
);
test('refuses a refusal of a parcel the route does not list', given([planned]).when(refusal('p-9')).thenRejects('ParcelNotOnRoute'));
test(
  'recording the same refusal twice is refused the second time: the parcel is gone',
  given([planned, refused('p-2', 's-1')])
    .when(refusal('p-2'))
    .thenRejects('ParcelNotOnRoute'),
);
test('refuses a refusal on a route never planned', given([]).when(refusal('p-1')).thenRejects('RouteNotFound'));
test(
  'a refused parcel is not released when the route is cancelled',
  given([planned, refused('p-3', 's-2'), assigned(), started, completed('s-1', ['p-1', 'p-2'], 2)])
    .when(cancel)
    .then([cancelled({ vehicleId, driverId, releasedParcelIds: ['p-4'].map(id), parcelIds: ['p-1', 'p-2', 'p-4'].map(id) })]),
);
test(
  'a finished route names the parcels left on its stops, for the ones not delivered to go back',
  given([
    planned,
    refused('p-3', 's-2'),
    assigned(),
    started,
    completed('s-1', ['p-1', 'p-2'], 2),
    skipped('s-2', [], 1),
    completed('s-3', ['p-4'], 0),
  ])
    .when(command('FinishRoute', { routeId }))
    .then([{ ...finished, data: { ...finished.data, parcelIds: ['p-1', 'p-2', 'p-4'].map(id) } }]),
);

// AcceptParcel
const acceptParcel = command('AcceptParcel', { routeId, parcelId: id('p-9') });
test('an open route takes a parcel assigned to it, recording nothing', (t) => {
  for (const history of [[planned], [planned, assigned()], underWay]) given(history).when(acceptParcel).then([])(t);
});
test('a cancelled route takes no parcel', given([planned, cancelled()]).when(acceptParcel).thenRejects('RouteAlreadyCancelled'));
test(
  'a finished route takes no parcel',
  given([...allClosed, finished])
    .when(acceptParcel)
    .thenRejects('RouteAlreadyFinished'),
);

// evolve
test('a fact that does not fit the state leaves it unchanged', (t) => {
  const state = evolveRoute(routeDecider.initialState, planned);
  t.is(evolveRoute(state, started), state);
  t.is(evolveRoute(state, planned), state);
  t.is(evolveRoute(routeDecider.initialState, finished), routeDecider.initialState);
});
