// The RouteBoard document: one per route, what dispatchers watch (where each route stands, stop by stop).
// Plain JSON; fields that may not apply yet are null, never absent. The codec reads it at the query edge
// and is the schema the API description publishes.
import { oneOf, struct } from '@meridian/kernel';
import type { RouteStatus } from '@meridian/route';
import * as t from 'io-ts';

/** The route lifecycle's status names (a route is on the board once planned). */
export type RouteBoardStatus = Exclude<RouteStatus, 'Unplanned'>;

export const routeBoardStatuses = [
  'Planned',
  'Assigned',
  'InProgress',
  'Finished',
  'Cancelled',
] as const satisfies readonly RouteBoardStatus[];

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const RouteBoardStop = struct('RouteBoardStop', {
  stopId: t.string,
  location: struct('StopLocation', { lat: t.number, lng: t.number }),
  parcelIds: t.readonlyArray(t.string),
  status: oneOf('StopStatus', ['pending', 'completed', 'skipped']),
  completedAt: nullable(t.string),
  skippedAt: nullable(t.string),
  skipReason: nullable(t.string),
  /** Its estimated arrival (docs/eta.md): the latest while pending, the last one made once closed. */
  eta: nullable(t.string),
  /** Completed: its completion time minus the ETA last predicted for it, in seconds (positive: later than predicted). */
  etaErrorSeconds: nullable(t.number),
  /** When the route's vehicle first entered the stop's geofence (vehicle.geofence-entered.v1, the ping's time). */
  arrivedAt: nullable(t.string),
});
export type RouteBoardStop = t.TypeOf<typeof RouteBoardStop>;

export const RouteProgress = struct('RouteProgress', {
  total: t.number,
  completed: t.number,
  skipped: t.number,
  pending: t.number,
  /** Stops closed (completed or skipped) as a whole percentage of all stops, rounded down: 100 means done. */
  percent: t.number,
});
export type RouteProgress = t.TypeOf<typeof RouteProgress>;

/** A parcel of the plan that refused to join the route (cancelled meanwhile, say): dropped from its stop. */
export const RefusedParcelView = struct('RefusedParcelView', {
  parcelId: t.string,
  /** The stop it was planned on. */
  stopId: t.string,
  /** The parcel's refusal: its rule (`ParcelNotAssignable`) and what it said. */
  code: t.string,
  reason: nullable(t.string),
  refusedAt: t.string,
});
export type RefusedParcelView = t.TypeOf<typeof RefusedParcelView>;

/** What the stops' ETAs were last computed from (route.eta-updated.v1). */
export const RouteEtaView = struct('RouteEtaView', {
  computedAt: t.string,
  position: struct('EtaPositionView', { lat: t.number, lng: t.number, at: t.string, source: t.string }),
  trigger: t.string,
});
export type RouteEtaView = t.TypeOf<typeof RouteEtaView>;

/** How right the ETAs were: over the completed stops that had one, the mean of |etaErrorSeconds|. */
export const EtaAccuracyView = struct('EtaAccuracyView', { measuredStops: t.number, meanAbsoluteErrorSeconds: nullable(t.number) });
export type EtaAccuracyView = t.TypeOf<typeof EtaAccuracyView>;

export const RouteBoardView = struct('RouteBoardView', {
  routeId: t.string,
  depotId: t.string,
  status: oneOf('RouteBoardStatus', routeBoardStatuses),
  dispatchWindow: struct('DispatchWindowView', { from: t.string, to: t.string }),
  vehicleId: nullable(t.string),
  driverId: nullable(t.string),
  /** In the current visiting order: closed stops first, as they were closed, then pending ones in plan order. */
  stops: t.readonlyArray(RouteBoardStop),
  /** Parcels of the plan that refused to join the route, in the order they refused; no stop lists them. */
  refusedParcels: t.readonlyArray(RefusedParcelView),
  progress: RouteProgress,
  /** The latest estimate's basis; null until the ETA reactor made one. */
  eta: nullable(RouteEtaView),
  etaAccuracy: EtaAccuracyView,
  plannedAt: t.string,
  startedAt: nullable(t.string),
  finishedAt: nullable(t.string),
  cancelledAt: nullable(t.string),
  cancellationReason: nullable(t.string),
  /** The latest business time of its facts (UTC), the list order. */
  updatedAt: t.string,
  /** The last stream revision applied. */
  revision: t.number,
});
export type RouteBoardView = t.TypeOf<typeof RouteBoardView>;
