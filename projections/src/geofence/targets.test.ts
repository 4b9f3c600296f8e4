// GeofenceTargets and the watches made of it: given route and window facts, then what each vehicle is watched for.
import type { RecordedEvent } from '@meridian/kernel';
import { givenProjection } from '@meridian/kernel/testing';
import { DispatchWindowOpened, windowEvents, type WindowEvent } from '@meridian/dispatch';
import * as E from 'fp-ts/lib/Either.js';
import { routeEvents, type RouteEvent } from '@meridian/route';
import test from 'ava';
import { at, createTestLog, point, routeFacts, utcAt, type StopPlan } from '../testing/index.ts';
import {
  geofenceDepots,
  geofenceRoutes,
  geofenceTargetsProjection,
  type GeofenceDepotDocument,
  type GeofenceRouteDocument,
} from './targets.ts';
import { watchesOf } from './watches.ts';

const s1: StopPlan = { stopId: 's-1', parcelIds: ['p-1'] };
const s2: StopPlan = { stopId: 's-2', parcelIds: ['p-2'] };
const r = routeFacts('r-1');
const log = createTestLog();
const routeLog = (events: readonly RouteEvent[]): RecordedEvent[] => log.recordAll(routeEvents, 'route-r-1', events);

/** A window opened at the depot's location, decoded as the event store would. */
const opened = (): WindowEvent => {
  const data = DispatchWindowOpened.decode({
    windowId: 'w-1',
    depotId: 'ams-1',
    depot: { lat: 52.31, lng: 4.76 },
    dispatchWindow: { from: at('08:00'), to: at('12:00') },
    parcels: [{ parcelId: 'p-1', weightKg: 2, location: { lat: 52.3, lng: 4.9 }, slaDeadline: at('18:00') }],
    vehicleIds: ['v-1'],
    acceptanceSeconds: 300,
    serviceSeconds: 120,
    optimizerSeconds: 30,
    openedAt: at('06:00'),
  });
  if (E.isLeft(data)) throw new Error('not a valid window');
  return { type: 'DispatchWindowOpened', data: data.right };
};

const given = givenProjection(geofenceTargetsProjection);
const planned = [r.planned([s1, s2], '06:30')];
const assigned = [...planned, r.vehicleAssigned('v-1', 'd-1', ['p-1', 'p-2'], '07:00')];

test(
  'a planned route is watched for nothing yet: no vehicle',
  given(routeLog(planned)).thenDocumentLike(geofenceRoutes, 'r-1', { status: 'planned', vehicleId: null, depotId: 'ams-1' }),
);

test(
  'a route with a vehicle is active, its stops watched until each is closed',
  given(routeLog([...assigned, r.started('v-1', 'd-1', ['s-1', 's-2'], '08:00'), r.stopCompleted(s1, 'v-1', 1, '08:30')])).then(
    (t, view) => {
      const route = view.documentOf(geofenceRoutes, 'r-1');
      t.like(route, { status: 'active', vehicleId: 'v-1', updatedAt: utcAt('08:30') });
      t.deepEqual(
        route?.stops.map((stop) => stop.stopId),
        ['s-2'],
      );
    },
  ),
);

test(
  'a finished route is watched no more',
  given(routeLog([...assigned, r.started('v-1', 'd-1', ['s-1', 's-2'], '08:00'), r.finished('v-1', 'd-1', 0, 2, '10:00')])).thenDocuments(
    geofenceRoutes,
    {},
  ),
);

test(
  'a dispatch window names its depot',
  given(log.recordAll(windowEvents, 'window-w-1', [opened()])).thenDocuments(geofenceDepots, {
    'ams-1': { depotId: 'ams-1', location: { lat: 52.31, lng: 4.76 }, updatedAt: utcAt('06:00') },
  }),
);

const route = (over: Partial<GeofenceRouteDocument>): GeofenceRouteDocument => ({
  routeId: 'r-1',
  depotId: 'ams-1',
  status: 'active',
  vehicleId: 'v-1',
  stops: [{ stopId: 's-1', lat: 52.3, lng: 4.9 }],
  updatedAt: utcAt('07:00'),
  ...over,
});
const depot: GeofenceDepotDocument = { depotId: 'ams-1', location: point(52.31, 4.76), updatedAt: utcAt('06:00') };

test('a vehicle is watched for its active route: the depot (where known) and each pending stop', (t) => {
  const watches = watchesOf([route({}), route({ routeId: 'r-2', status: 'planned', vehicleId: null })], [depot]);
  t.deepEqual([...watches.keys()], ['v-1']);
  t.deepEqual(
    watches.get('v-1')?.fences.map((fence) => fence.fenceId),
    ['depot:ams-1', 'stop:r-1:s-1'],
  );
  t.deepEqual(
    watchesOf([route({})], [])
      .get('v-1')
      ?.fences.map((fence) => fence.fenceId),
    ['stop:r-1:s-1'],
  );
});

test('a vehicle named by two active routes is watched for the later one', (t) => {
  const watches = watchesOf([route({ routeId: 'r-2', updatedAt: utcAt('09:00') }), route({})], [depot]);
  t.is(watches.get('v-1')?.routeId, 'r-2');
});
