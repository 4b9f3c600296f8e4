import {
  intent,
  type CommandIntent,
  type Fact,
  type GeoPoint,
  type Identifier,
  type IsoDateTime,
  type NonEmptyString,
} from '@meridian/kernel';
import { givenReactor } from '@meridian/kernel/testing';
import { parcel, type ParcelId } from '@meridian/parcel';
import { route, type RouteEvent, type RouteId } from '@meridian/route';
import { vehicle, type VehicleId } from '@meridian/vehicle';
import test from 'ava';
import { routeLifecycleReactor } from './route-lifecycle.ts';

const given = givenReactor(routeLifecycleReactor);

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const routeId = 'r-1' as RouteId;
const id = (s: string) => s as Identifier;
const parcelId = (s: string) => s as ParcelId;
const text = (s: string) => s as NonEmptyString;
const at = (s: string) => s as IsoDateTime;
const location = { lat: 52.37, lng: 4.9 } as GeoPoint;
const dispatchWindow = { from: at('2026-11-21T08:00:00Z'), to: at('2026-11-21T18:00:00Z') };

const planned: RouteEvent = {
  type: 'RoutePlanned',
  data: {
    routeId,
    depotId: id('ams-1'),
    dispatchWindow,
    stops: [
      { stopId: id('s-1'), location, parcelIds: [id('p-1'), id('p-2')] },
      { stopId: id('s-2'), location, parcelIds: [id('p-3')] },
    ],
    parcelIds: ['p-1', 'p-2', 'p-3'].map(id),
    plannedAt: at('2026-11-21T06:00:00Z'),
  },
};
const assigned: RouteEvent = {
  type: 'RouteVehicleAssigned',
  data: {
    routeId,
    vehicleId: id('v-1'),
    driverId: id('d-1'),
    dispatchWindow,
    parcelIds: ['p-1', 'p-2', 'p-3'].map(id),
    assignedAt: at('2026-11-21T07:00:00Z'),
  },
};
const started: RouteEvent = {
  type: 'RouteStarted',
  data: { routeId, vehicleId: id('v-1'), driverId: id('d-1'), stopIds: ['s-1', 's-2'].map(id), startedAt: at('2026-11-21T08:10:00Z') },
};
const cancelled = (
  over: { vehicleId?: Identifier; driverId?: Identifier; reason?: string; parcelIds?: readonly string[] } = {},
): RouteEvent => ({
  type: 'RouteCancelled',
  data: {
    routeId,
    releasedParcelIds: ['p-2', 'p-3'].map(id),
    cancelledAt: at('2026-11-21T09:00:00Z'),
    ...(over.vehicleId && { vehicleId: over.vehicleId }),
    ...(over.driverId && { driverId: over.driverId }),
    ...(over.parcelIds && { parcelIds: over.parcelIds.map(id) }),
    reason: text(over.reason ?? 'storm'),
  },
});
const finished = (parcelIds?: readonly string[]): RouteEvent => ({
  type: 'RouteFinished',
  data: {
    routeId,
    vehicleId: id('v-1'),
    driverId: id('d-1'),
    completedStops: 1,
    skippedStops: 1,
    finishedAt: at('2026-11-21T12:00:00Z'),
    ...(parcelIds && { parcelIds: parcelIds.map(id) }),
  },
});

const assign = (p: string) => intent(parcel, { type: 'AssignParcelToRoute', data: { parcelId: parcelId(p), routeId } });
const releaseVan = intent(vehicle, { type: 'ReleaseVehicleFromRoute', data: { vehicleId: 'v-1' as VehicleId, routeId } });
const returnUndelivered = (p: string, reason = 'route r-1 finished') =>
  intent(parcel, { type: 'ReturnUndeliveredParcel', data: { parcelId: parcelId(p), routeId, reason: text(reason) } });
const release = (p: string, reason = 'route r-1 cancelled: storm') => returnUndelivered(p, reason);

// route planned
test(
  'a planned route has each parcel of its stops assigned to it, in stop order',
  given().when(planned).thenSends(['p-1', 'p-2', 'p-3'].map(assign)),
);

// route cancelled
const all = ['p-1', 'p-2', 'p-3'];
test(
  'a cancelled route sends every parcel of its stops back to the depot unless delivered, and releases its vehicle',
  given([planned, assigned])
    .when(cancelled({ vehicleId: id('v-1'), driverId: id('d-1'), parcelIds: all }))
    .thenSends([...all.map((p) => release(p)), releaseVan]),
);
test(
  'a route cancelled before it had a vehicle has its parcels sent back only',
  given([planned])
    .when(cancelled({ parcelIds: all }))
    .thenSends(all.map((p) => release(p))),
);
test(
  'a cancellation recorded before facts named every parcel sends back those of the stops not completed',
  given([planned])
    .when(cancelled())
    .thenSends([release('p-2'), release('p-3')]),
);
test(
  'a reason too long for a command is cut to what one holds',
  given([planned])
    .when(cancelled({ reason: 'x'.repeat(500), parcelIds: ['p-1'] }))
    .thenSends([release('p-1', `route r-1 cancelled: ${'x'.repeat(500)}`.slice(0, 500))]),
);

// route finished
test(
  'a finished route sends every parcel of its stops back to the depot unless delivered (each parcel decides)',
  given([planned, assigned, started])
    .when(finished(['p-1', 'p-2', 'p-3']))
    .thenSends(['p-1', 'p-2', 'p-3'].map((p) => returnUndelivered(p))),
);
test('a route finished before facts named their parcels calls for nothing', given([planned]).when(finished()).thenSendsNothing());

// the rest of a route's life
test('a vehicle assigned calls for nothing', given([planned]).when(assigned).thenSendsNothing());
test('a route started calls for nothing', given([planned, assigned]).when(started).thenSendsNothing());

// refusals
const factOf = (event: RouteEvent): Fact<RouteEvent> => ({
  event,
  eventId: '00000000-0000-5000-8000-000000000001',
  streamId: 'route-r-1',
  recordedAt: '2026-11-21T06:00:00.000Z',
});
const refused = (event: RouteEvent, command: CommandIntent, code: string, message: string) =>
  routeLifecycleReactor.onRefused?.(factOf(event), command, { code, message });

test('a parcel that refuses its assignment is recorded on the route, with its refusal', (t) => {
  t.deepEqual(
    refused(planned, assign('p-2'), 'ParcelNotAssignable', 'the parcel is Cancelled; only a parcel at the depot can be assigned'),
    [
      intent(route, {
        type: 'RecordParcelRefusal',
        data: {
          routeId,
          parcelId: id('p-2'),
          code: text('ParcelNotAssignable'),
          reason: text('the parcel is Cancelled; only a parcel at the depot can be assigned'),
        },
      }),
    ],
  );
});
test('a parcel never registered is recorded too, by the refusal the runtime reports', (t) => {
  t.deepEqual(refused(planned, assign('p-9'), 'StreamNotFound', ''), [
    intent(route, { type: 'RecordParcelRefusal', data: { routeId, parcelId: id('p-9'), code: text('StreamNotFound') } }),
  ]);
});
test('other refusals repair nothing: a parcel out for delivery waits for its driver, a vehicle released already stays so', (t) => {
  t.deepEqual(refused(cancelled(), release('p-2'), 'ParcelOutForDelivery', 'the parcel is OutForDelivery'), []);
  t.deepEqual(refused(cancelled({ vehicleId: id('v-1') }), releaseVan, 'VehicleNotOnRoute', 'the vehicle is OnDuty'), []);
  t.deepEqual(refused(finished(['p-1']), returnUndelivered('p-1'), 'ParcelOutForDelivery', 'the parcel is OutForDelivery'), []);
});
