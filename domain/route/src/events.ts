// Route events: past-tense facts. Each carries the routeId and enough state for a consumer (the parcel
// and vehicle process managers, the route board) to act without calling back.
import { arrayOf, eventCatalog, Identifier, IsoDateTime, NonEmptyString, oneOf, struct, type DomainEvent } from '@meridian/kernel';
import { EtaModel } from './eta.ts';
import * as t from 'io-ts';
import { DispatchWindow, EtaPosition, maxParcelsPerStop, maxStopsPerRoute, PlannedStop, RouteId } from './values.ts';

const about = { routeId: RouteId };
const StopIds = arrayOf(Identifier, { min: 1, max: maxStopsPerRoute, name: 'StopIds' });
const ParcelIds = arrayOf(Identifier, { max: maxStopsPerRoute * maxParcelsPerStop, name: 'ParcelIds' });

export const RoutePlanned = struct('RoutePlanned', {
  ...about,
  depotId: Identifier,
  dispatchWindow: DispatchWindow,
  stops: arrayOf(PlannedStop, { min: 1, max: maxStopsPerRoute, name: 'PlannedStops' }),
  /** Every parcel of the route, in stop order: what the parcel side assigns to this route. */
  parcelIds: ParcelIds,
  plannedAt: IsoDateTime,
});
export type RoutePlanned = t.TypeOf<typeof RoutePlanned>;

/** `previousVehicleId` / `previousDriverId` are present only when a re-assignment changed them: what to release. */
export const RouteVehicleAssigned = struct(
  'RouteVehicleAssigned',
  { ...about, vehicleId: Identifier, driverId: Identifier, dispatchWindow: DispatchWindow, parcelIds: ParcelIds, assignedAt: IsoDateTime },
  { previousVehicleId: Identifier, previousDriverId: Identifier },
);
export type RouteVehicleAssigned = t.TypeOf<typeof RouteVehicleAssigned>;

export const RouteStarted = struct('RouteStarted', {
  ...about,
  vehicleId: Identifier,
  driverId: Identifier,
  /** Every stop, in the order the vehicle will visit them. */
  stopIds: StopIds,
  startedAt: IsoDateTime,
});
export type RouteStarted = t.TypeOf<typeof RouteStarted>;

const closedStop = {
  ...about,
  stopId: Identifier,
  parcelIds: ParcelIds,
  vehicleId: Identifier,
  /** Stops still pending after this one closed. */
  remainingStops: t.number,
};

export const RouteStopCompleted = struct('RouteStopCompleted', { ...closedStop, completedAt: IsoDateTime });
export type RouteStopCompleted = t.TypeOf<typeof RouteStopCompleted>;

export const RouteStopSkipped = struct('RouteStopSkipped', { ...closedStop, reason: NonEmptyString, skippedAt: IsoDateTime });
export type RouteStopSkipped = t.TypeOf<typeof RouteStopSkipped>;

export const RouteStopsResequenced = struct('RouteStopsResequenced', {
  ...about,
  /** The pending stops in their new order; closed stops are not named (their place does not change). */
  stopIds: StopIds,
  resequencedAt: IsoDateTime,
});
export type RouteStopsResequenced = t.TypeOf<typeof RouteStopsResequenced>;

export const RouteFinished = struct(
  'RouteFinished',
  {
    ...about,
    vehicleId: Identifier,
    driverId: Identifier,
    /** Counts of stops by outcome; the stops' own facts carry their parcels. */
    completedStops: t.number,
    skippedStops: t.number,
    finishedAt: IsoDateTime,
  },
  {
    /**
     * Every parcel of the route's stops, in stop order: those not delivered go back to the depot (the
     * route cannot tell which were, their own facts do). Absent from routes finished before it was added.
     */
    parcelIds: ParcelIds,
  },
);
export type RouteFinished = t.TypeOf<typeof RouteFinished>;

/** Lets the platform release the parcels not handed over, and the vehicle and driver if there were any. */
export const RouteCancelled = struct(
  'RouteCancelled',
  { ...about, reason: NonEmptyString, releasedParcelIds: ParcelIds, cancelledAt: IsoDateTime },
  {
    vehicleId: Identifier,
    driverId: Identifier,
    /**
     * Every parcel of the route's stops, in stop order, completed stops' too: a completed stop does not
     * prove its parcels delivered (their own facts do), so the platform asks each one. Absent from routes
     * cancelled before it was added.
     */
    parcelIds: ParcelIds,
  },
);
export type RouteCancelled = t.TypeOf<typeof RouteCancelled>;

/**
 * A parcel of the plan refused to join the route (`code`, `reason`: the parcel's refusal, for example
 * ParcelNotAssignable when it was cancelled meanwhile): the route dropped it from its stop.
 */
export const RouteParcelRefused = struct(
  'RouteParcelRefused',
  { ...about, parcelId: Identifier, stopId: Identifier, code: NonEmptyString, refusedAt: IsoDateTime },
  { reason: NonEmptyString },
);
export type RouteParcelRefused = t.TypeOf<typeof RouteParcelRefused>;

/** One remaining stop's estimated arrival, with its parcels (so a parcel's status can carry its ETA). */
export const StopArrivalEstimate = struct('StopArrivalEstimate', { stopId: Identifier, parcelIds: ParcelIds, eta: IsoDateTime });
export type StopArrivalEstimate = t.TypeOf<typeof StopArrivalEstimate>;

/** What made the ETA reactor ask for a new estimate. */
export const EtaTrigger = oneOf('EtaTrigger', [
  'route-started',
  'stop-closed',
  'stops-resequenced',
  'parcel-delivered',
  'delivery-attempt-failed',
  'position',
]);
export type EtaTrigger = t.TypeOf<typeof EtaTrigger>;

/**
 * Every remaining stop's estimated arrival (docs/eta.md), in visiting order, computed at `computedAt` from
 * the van's last known `position` with `model`; the stops not named are closed.
 */
export const RouteEtaUpdated = struct('RouteEtaUpdated', {
  ...about,
  vehicleId: Identifier,
  stops: arrayOf(StopArrivalEstimate, { min: 1, max: maxStopsPerRoute, name: 'StopArrivalEstimates' }),
  position: EtaPosition,
  model: EtaModel,
  trigger: EtaTrigger,
  computedAt: IsoDateTime,
});
export type RouteEtaUpdated = t.TypeOf<typeof RouteEtaUpdated>;

export type RouteEvent =
  | DomainEvent<'RoutePlanned', RoutePlanned>
  | DomainEvent<'RouteVehicleAssigned', RouteVehicleAssigned>
  | DomainEvent<'RouteStarted', RouteStarted>
  | DomainEvent<'RouteStopCompleted', RouteStopCompleted>
  | DomainEvent<'RouteStopSkipped', RouteStopSkipped>
  | DomainEvent<'RouteStopsResequenced', RouteStopsResequenced>
  | DomainEvent<'RouteFinished', RouteFinished>
  | DomainEvent<'RouteCancelled', RouteCancelled>
  | DomainEvent<'RouteParcelRefused', RouteParcelRefused>
  | DomainEvent<'RouteEtaUpdated', RouteEtaUpdated>;

export const routeEvents = eventCatalog<RouteEvent>('route', {
  RoutePlanned: { wireType: 'route.planned.v1', data: RoutePlanned },
  RouteVehicleAssigned: { wireType: 'route.vehicle-assigned.v1', data: RouteVehicleAssigned },
  RouteStarted: { wireType: 'route.started.v1', data: RouteStarted },
  RouteStopCompleted: { wireType: 'route.stop-completed.v1', data: RouteStopCompleted },
  RouteStopSkipped: { wireType: 'route.stop-skipped.v1', data: RouteStopSkipped },
  RouteStopsResequenced: { wireType: 'route.stops-resequenced.v1', data: RouteStopsResequenced },
  RouteFinished: { wireType: 'route.finished.v1', data: RouteFinished },
  RouteCancelled: { wireType: 'route.cancelled.v1', data: RouteCancelled },
  RouteParcelRefused: { wireType: 'route.parcel-refused.v1', data: RouteParcelRefused },
  RouteEtaUpdated: { wireType: 'route.eta-updated.v1', data: RouteEtaUpdated },
});
