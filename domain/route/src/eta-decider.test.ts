// EstimateArrivals on the Route decider: where an estimate starts, what it names, when a position alone is
// not worth recording.
import type { GeoPoint, Identifier, IsoDateTime } from '@meridian/kernel';
import { givenFor } from '@meridian/kernel/testing';
import test from 'ava';
import type { EstimateArrivals, RouteCommand } from './commands.ts';
import { routeDecider } from './decider.ts';
import type { EtaModel } from './eta.ts';
import type { RouteEtaUpdated, RouteEvent } from './events.ts';
import type { EtaPosition, RouteId } from './values.ts';

const given = givenFor(routeDecider);

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const routeId = 'r-1' as RouteId;
const id = (s: string) => s as Identifier;
const at = (iso: string) => iso as IsoDateTime;
const vehicleId = id('v-1');
const driverId = id('d-1');
const now = new Date('2026-11-21T09:00:00Z');
const later = (seconds: number, from = now) => at(new Date(from.getTime() + seconds * 1000).toISOString());
const window = { from: at('2026-11-21T08:00:00Z'), to: at('2026-11-21T18:00:00Z') };
// Stops 0.01° of latitude apart (1,111.95 m): at 36 km/h with no detour, 111.195 s of driving between two.
const stopAt = (n: number) => ({ stopId: id(`s-${n}`), location: { lat: 52 + n / 100, lng: 4.9 } as GeoPoint, parcelIds: [id(`p-${n}`)] });
const stops = [stopAt(1), stopAt(2), stopAt(3)];
const model: EtaModel = { speedKmh: 36, roadFactor: 1, serviceSeconds: 60 };
const leg = 111.195;

const underWay: RouteEvent[] = [
  {
    type: 'RoutePlanned',
    data: {
      routeId,
      depotId: id('ams-1'),
      dispatchWindow: window,
      stops,
      parcelIds: ['p-1', 'p-2', 'p-3'].map(id),
      plannedAt: at('2026-11-21T06:00:00Z'),
    },
  },
  {
    type: 'RouteVehicleAssigned',
    data: {
      routeId,
      vehicleId,
      driverId,
      dispatchWindow: window,
      parcelIds: ['p-1', 'p-2', 'p-3'].map(id),
      assignedAt: at('2026-11-21T07:00:00Z'),
    },
  },
  {
    type: 'RouteStarted',
    data: { routeId, vehicleId, driverId, stopIds: ['s-1', 's-2', 's-3'].map(id), startedAt: at('2026-11-21T08:30:00Z') },
  },
];
const firstCompleted: RouteEvent = {
  type: 'RouteStopCompleted',
  data: { routeId, stopId: id('s-1'), parcelIds: [id('p-1')], vehicleId, remainingStops: 2, completedAt: at('2026-11-21T08:55:00Z') },
};

const estimate = (over: Partial<EstimateArrivals> = {}, when = now): RouteCommand => ({
  type: 'EstimateArrivals',
  data: { routeId, model, trigger: 'route-started', ...over },
  metadata: { now: when },
});

const updated = (data: Omit<RouteEtaUpdated, 'routeId' | 'vehicleId' | 'model'>): RouteEvent => ({
  type: 'RouteEtaUpdated',
  data: { routeId, vehicleId, model, ...data },
});

const due = (n: number, seconds: number) => ({ stopId: id(`s-${n}`), parcelIds: [id(`p-${n}`)], eta: later(Math.round(seconds)) });

test(
  'given a started route and no position known, the van is taken to be at its first stop now',
  given(underWay)
    .when(estimate())
    .then([
      updated({
        stops: [due(1, 0), due(2, 60 + leg), due(3, 2 * (60 + leg))],
        position: { lat: 52.01, lng: 4.9, at: at(now.toISOString()), source: 'first-stop' } as EtaPosition,
        trigger: 'route-started',
        computedAt: at(now.toISOString()),
      }),
    ]),
);

const ping = (lat: number, seconds: number): EtaPosition => ({ lat, lng: 4.9, at: later(seconds), source: 'telemetry' }) as EtaPosition;

test(
  'given a position, the estimate starts from it',
  given(underWay)
    .when(estimate({ position: ping(52, -5), trigger: 'position' }))
    .then([
      updated({
        stops: [due(1, leg), due(2, 60 + 2 * leg), due(3, 120 + 3 * leg)],
        position: ping(52, -5),
        trigger: 'position',
        computedAt: at(now.toISOString()),
      }),
    ]),
);

test(
  'given a completed stop, it drops out and the rest are estimated from where the van completed it',
  given([...underWay, firstCompleted])
    .when(estimate({ trigger: 'stop-closed' }))
    .then([
      updated({
        stops: [due(2, leg), due(3, 60 + 2 * leg)],
        position: { lat: 52.01, lng: 4.9, at: at('2026-11-21T08:55:00Z'), source: 'stop' } as EtaPosition,
        trigger: 'stop-closed',
        computedAt: at(now.toISOString()),
      }),
    ]),
);

test(
  'a position older than what the route knows does not move the van back',
  given([...underWay, firstCompleted])
    .when(estimate({ position: ping(52, -600), trigger: 'position' }))
    .thenEvents((t, events) => t.like(events[0]?.data, { position: { source: 'stop' } })),
);

const throttle = { intervalSeconds: 60, thresholdSeconds: 120 };
const recent: RouteEvent = updated({
  stops: [due(1, leg), due(2, 60 + 2 * leg), due(3, 120 + 3 * leg)],
  position: ping(52, -5),
  trigger: 'position',
  computedAt: at(now.toISOString()),
});

test(
  'a position check within the interval that hardly moves the estimate records nothing',
  given([...underWay, recent])
    .when(estimate({ position: ping(52.0005, 25), trigger: 'position', throttle }, new Date(later(30))))
    .then([]),
);

test(
  'a position check within the interval that moves a stop by more than the threshold is recorded',
  given([...underWay, recent])
    // Driven the wrong way for 30 s: 0.03° south of where it was, every stop 3 legs (333 s) later.
    .when(estimate({ position: ping(51.97, 25), trigger: 'position', throttle }, new Date(later(30))))
    .thenEvents((t, events) => t.is(events.length, 1)),
);

test(
  'a position check after the interval is recorded, however little it moved',
  given([...underWay, recent])
    .when(estimate({ position: ping(52, 55), trigger: 'position', throttle }, new Date(later(60))))
    .thenEvents((t, events) => t.is(events.length, 1)),
);

test(
  'a fact of the route is always recorded, however recent the last estimate',
  given([...underWay, recent])
    .when(estimate({ trigger: 'parcel-delivered' }, new Date(later(1))))
    .thenEvents((t, events) => t.is(events.length, 1)),
);

test('a route not started has no arrivals to estimate', given(underWay.slice(0, 2)).when(estimate()).thenRejects('RouteNotStarted'));

test(
  'a route with no stop left records nothing',
  given([
    ...underWay,
    ...stops.map((stop, index): RouteEvent => ({
      type: 'RouteStopCompleted',
      data: { routeId, stopId: stop.stopId, parcelIds: stop.parcelIds, vehicleId, remainingStops: 2 - index, completedAt: later(-60) },
    })),
  ])
    .when(estimate({ trigger: 'stop-closed' }))
    .then([]),
);
