// Driver scores: what each driver's routes delivered, on time or late, and the attempts that failed. The
// facts come from two kinds of streams, in no fixed order between them (Pub/Sub orders per stream only): a
// parcel's outcome names its route, never its driver; the route's facts name its driver. So the projection
// keeps both halves, each from its own stream, and the query joins them (queries.ts):
// - one document per route: its driver and vehicle, and its day (UTC, of its start or, before it, its dispatch
//   window), what a driver's days are looked up by;
// - one outcome per parcel and attempt: the route it went out on, its SLA deadline (from the parcel's own
//   stream, before the outcome), delivered on time, late, or failed, and its day.
// Every document is set from facts by id, so a fact applied twice, or a replay, writes the same documents.
import { collection, oneOf, struct, updateOf, type DocumentUpdate, type Projection, type RecordedEvent } from '@meridian/kernel';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { routeEvents, type RouteEvent } from '@meridian/route';
import * as t from 'io-ts';
import { decodeRecorded } from '../runtime/decode.ts';
import { utc } from '../runtime/updates.ts';

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const DriverRoute = struct('DriverRoute', {
  routeId: t.string,
  driverId: nullable(t.string),
  vehicleId: nullable(t.string),
  /** The UTC day (YYYY-MM-DD) of its start, or of its dispatch window's start before it started. */
  day: t.string,
  startedAt: nullable(t.string),
  endedAt: nullable(t.string),
});
export type DriverRoute = t.TypeOf<typeof DriverRoute>;

export const deliveryOutcomes = ['out', 'delivered', 'failed'] as const;

export const DeliveryOutcome = struct('DeliveryOutcome', {
  parcelId: t.string,
  routeId: t.string,
  attempt: t.number,
  /** The parcel's SLA deadline as it went out: what on time is judged against. */
  slaDeadline: t.string,
  outcome: oneOf('DeliveryOutcomeKind', [...deliveryOutcomes]),
  /** When it was delivered or failed (UTC), and that day: null while out. */
  at: nullable(t.string),
  day: nullable(t.string),
  /** Delivered at or before its SLA deadline; null unless delivered. */
  onTime: nullable(t.boolean),
});
export type DeliveryOutcome = t.TypeOf<typeof DeliveryOutcome>;

// Queried by equalities only (queries.ts), ordered by id: Firestore's single-field indexes serve them, no composite one.
export const driverRoutes = collection('driver-score-routes', DriverRoute);
export const deliveryOutcomesCollection = collection('driver-score-outcomes', DeliveryOutcome);

/** One outcome per parcel and attempt (a parcel goes out at most three times). */
export const outcomeId = (parcelId: string, attempt: number) => `${parcelId}:${attempt}`;

const dayOf = (instant: string) => instant.slice(0, 10);

type Settled = Pick<DeliveryOutcome, 'outcome' | 'at' | 'onTime'>;

/** An outcome settles the attempt that went out; without its going out there is no deadline to judge by. */
const settle =
  (settled: (current: DeliveryOutcome) => Settled) =>
  (current: DeliveryOutcome | undefined): DeliveryOutcome | undefined => {
    if (current === undefined) return undefined;
    const next = settled(current);
    return { ...current, ...next, day: next.at === null ? null : dayOf(next.at) };
  };

const projectParcel = (event: ParcelEvent): DocumentUpdate[] => {
  switch (event.type) {
    case 'ParcelOutForDelivery': {
      const { parcelId, routeId, attempt, slaDeadline } = event.data;
      const out: DeliveryOutcome = {
        parcelId,
        routeId,
        attempt,
        slaDeadline: utc(slaDeadline),
        outcome: 'out',
        at: null,
        day: null,
        onTime: null,
      };
      return [updateOf(deliveryOutcomesCollection, outcomeId(parcelId, attempt), (current) => current ?? out)];
    }
    case 'ParcelDelivered': {
      const { parcelId, attempt, deliveredAt } = event.data;
      const at = utc(deliveredAt);
      return [
        updateOf(
          deliveryOutcomesCollection,
          outcomeId(parcelId, attempt),
          settle((current) => ({ outcome: 'delivered', at, onTime: at <= current.slaDeadline })),
        ),
      ];
    }
    case 'ParcelDeliveryAttemptFailed': {
      const { parcelId, attempt, failedAt } = event.data;
      const at = utc(failedAt);
      return [
        updateOf(
          deliveryOutcomesCollection,
          outcomeId(parcelId, attempt),
          settle(() => ({ outcome: 'failed', at, onTime: null })),
        ),
      ];
    }
    default:
      return [];
  }
};

const emptyRoute = (routeId: string, day: string): DriverRoute => ({
  routeId,
  driverId: null,
  vehicleId: null,
  day,
  startedAt: null,
  endedAt: null,
});

const projectRoute = (event: RouteEvent): DocumentUpdate[] => {
  const change = (routeId: string, day: string, next: (route: DriverRoute) => DriverRoute) => [
    updateOf(driverRoutes, routeId, (current) => next(current ?? emptyRoute(routeId, day))),
  ];
  switch (event.type) {
    case 'RoutePlanned':
      return change(event.data.routeId, dayOf(utc(event.data.dispatchWindow.from)), (route) => route);
    case 'RouteVehicleAssigned': {
      const { routeId, driverId, vehicleId, dispatchWindow } = event.data;
      const day = dayOf(utc(dispatchWindow.from));
      return change(routeId, day, (route) => ({ ...route, driverId, vehicleId, day: route.startedAt === null ? day : route.day }));
    }
    case 'RouteStarted': {
      const { routeId, driverId, vehicleId } = event.data;
      const startedAt = utc(event.data.startedAt);
      return change(routeId, dayOf(startedAt), (route) => ({ ...route, driverId, vehicleId, startedAt, day: dayOf(startedAt) }));
    }
    case 'RouteFinished':
    case 'RouteCancelled': {
      const endedAt = utc(event.type === 'RouteFinished' ? event.data.finishedAt : event.data.cancelledAt);
      return change(event.data.routeId, dayOf(endedAt), (route) => ({ ...route, endedAt }));
    }
    default:
      return [];
  }
};

const project = (recorded: RecordedEvent): DocumentUpdate[] =>
  parcelEvents.handles(recorded.type)
    ? projectParcel(decodeRecorded(parcelEvents, recorded))
    : projectRoute(decodeRecorded(routeEvents, recorded));

export const driverScoresProjection: Projection = {
  name: 'driver-scores',
  version: 1,
  collections: { [driverRoutes.name]: driverRoutes, [deliveryOutcomesCollection.name]: deliveryOutcomesCollection },
  eventTypes: [...parcelEvents.wireTypes, ...routeEvents.wireTypes],
  project,
};
