// The ETA reactor: which facts ask a route for a new estimate, and with what.
import { intent, type GeoPoint, type Identifier, type IsoDateTime, type NonEmptyString } from '@meridian/kernel';
import { givenReactor } from '@meridian/kernel/testing';
import type { ParcelEvent, ParcelId } from '@meridian/parcel';
import { defaultEtaModel, route, type RouteEvent, type RouteId } from '@meridian/route';
import test from 'ava';
import { etaReactor } from './eta.ts';

const model = { ...defaultEtaModel, speedKmh: 30 };
const given = givenReactor(etaReactor(model));

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const routeId = 'r-1' as RouteId;
const id = (s: string) => s as Identifier;
const at = (s: string) => s as IsoDateTime;
const location = { lat: 52.37, lng: 4.9 } as GeoPoint;
const vehicleId = id('v-1');

const started: RouteEvent = {
  type: 'RouteStarted',
  data: { routeId, vehicleId, driverId: id('d-1'), stopIds: ['s-1', 's-2'].map(id), startedAt: at('2026-11-21T08:10:00Z') },
};
const closed = { routeId, stopId: id('s-1'), parcelIds: [id('p-1')], vehicleId };
const completed = (remainingStops: number): RouteEvent => ({
  type: 'RouteStopCompleted',
  data: { ...closed, remainingStops, completedAt: at('2026-11-21T08:40:00Z') },
});
const skipped: RouteEvent = {
  type: 'RouteStopSkipped',
  data: { ...closed, remainingStops: 1, reason: 'gate closed' as NonEmptyString, skippedAt: at('2026-11-21T08:40:00Z') },
};
const delivered: ParcelEvent = {
  type: 'ParcelDelivered',
  data: {
    parcelId: 'p-1' as ParcelId,
    clientId: id('acme'),
    routeId,
    vehicleId,
    attempt: 1,
    proof: { kind: 'signature', reference: 'sig-1' as NonEmptyString },
    location,
    deliveredAt: at('2026-11-21T08:38:00Z'),
  },
};
const failed = (withLocation: boolean): ParcelEvent => ({
  type: 'ParcelDeliveryAttemptFailed',
  data: {
    parcelId: 'p-1' as ParcelId,
    clientId: id('acme'),
    routeId,
    vehicleId,
    attempt: 1,
    attemptsLeft: 2,
    reason: 'recipient-absent',
    failedAt: at('2026-11-21T08:39:00Z'),
    ...(withLocation && { location }),
  },
});

const estimate = (trigger: string, extra: object = {}) =>
  intent(route, { type: 'EstimateArrivals', data: { routeId, model, trigger: trigger as 'position', ...extra } });

test(
  'a started route is estimated',
  given()
    .when(started)
    .thenSends([estimate('route-started')]),
);

test(
  'a completed stop with stops left is estimated again',
  given()
    .when(completed(1))
    .thenSends([estimate('stop-closed')]),
);

test(
  'a skipped stop with stops left is estimated again',
  given()
    .when(skipped)
    .thenSends([estimate('stop-closed')]),
);

test('the last stop closed leaves nothing to estimate', given().when(completed(0)).thenSendsNothing());

test(
  'a delivered parcel estimates its route from where it was delivered',
  given()
    .when(delivered)
    .thenSends([estimate('parcel-delivered', { position: { ...location, at: '2026-11-21T08:38:00Z', source: 'delivery' } })]),
);

test(
  'a failed attempt estimates its route, from where it failed when the driver recorded it',
  given()
    .when(failed(true))
    .thenSends([estimate('delivery-attempt-failed', { position: { ...location, at: '2026-11-21T08:39:00Z', source: 'delivery' } })]),
);

test(
  'a failed attempt recorded without a place estimates from what the route knows',
  given()
    .when(failed(false))
    .thenSends([estimate('delivery-attempt-failed')]),
);

test(
  'its own estimates, and facts that change no arrival, call for nothing',
  given()
    .when({
      type: 'RouteEtaUpdated',
      data: {
        routeId,
        vehicleId,
        stops: [{ stopId: id('s-2'), parcelIds: [id('p-2')], eta: at('2026-11-21T09:00:00Z') }],
        position: { ...location, at: at('2026-11-21T08:40:00Z'), source: 'stop' },
        model,
        trigger: 'stop-closed',
        computedAt: at('2026-11-21T08:40:00Z'),
      },
    })
    .thenSendsNothing(),
);
