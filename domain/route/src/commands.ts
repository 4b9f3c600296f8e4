// Route commands: imperative names, data decoded once at the edge with these codecs.
import { arrayOf, type Command, Identifier, NonEmptyString, struct } from '@meridian/kernel';
import type * as t from 'io-ts';
import { EtaModel, EtaThrottle } from './eta.ts';
import { EtaTrigger } from './events.ts';
import { DispatchWindow, EtaPosition, maxStopsPerRoute, PlannedStop, RouteId } from './values.ts';

export const PlanRoute = struct('PlanRoute', {
  routeId: RouteId,
  depotId: Identifier,
  dispatchWindow: DispatchWindow,
  stops: arrayOf(PlannedStop, { min: 1, max: maxStopsPerRoute, name: 'PlannedStops' }),
});
export type PlanRoute = t.TypeOf<typeof PlanRoute>;

export const AssignRouteVehicle = struct('AssignRouteVehicle', { routeId: RouteId, vehicleId: Identifier, driverId: Identifier });
export type AssignRouteVehicle = t.TypeOf<typeof AssignRouteVehicle>;

export const StartRoute = struct('StartRoute', { routeId: RouteId });
export type StartRoute = t.TypeOf<typeof StartRoute>;

export const CompleteStop = struct('CompleteStop', { routeId: RouteId, stopId: Identifier });
export type CompleteStop = t.TypeOf<typeof CompleteStop>;

export const SkipStop = struct('SkipStop', { routeId: RouteId, stopId: Identifier, reason: NonEmptyString });
export type SkipStop = t.TypeOf<typeof SkipStop>;

export const ResequenceStops = struct('ResequenceStops', {
  routeId: RouteId,
  stopIds: arrayOf(Identifier, { min: 1, max: maxStopsPerRoute, name: 'StopIds' }),
});
export type ResequenceStops = t.TypeOf<typeof ResequenceStops>;

export const FinishRoute = struct('FinishRoute', { routeId: RouteId });
export type FinishRoute = t.TypeOf<typeof FinishRoute>;

export const CancelRoute = struct('CancelRoute', { routeId: RouteId, reason: NonEmptyString });
export type CancelRoute = t.TypeOf<typeof CancelRoute>;

/**
 * Records that a parcel of the plan refused to join the route (it was cancelled meanwhile, or is on a van
 * already): the route drops it from its stop, and the RouteBoard shows it. Sent by the platform's reaction
 * to the refusal (`code` and `reason` are the refusal's), not by people.
 */
export const RecordParcelRefusal = struct(
  'RecordParcelRefusal',
  { routeId: RouteId, parcelId: Identifier, code: NonEmptyString },
  { reason: NonEmptyString },
);
export type RecordParcelRefusal = t.TypeOf<typeof RecordParcelRefusal>;

/**
 * Asks the route whether it takes a parcel just assigned to it: refused when the route is finished or
 * cancelled (or was never planned), accepted with no event otherwise. Sent by the platform's reaction to
 * every assignment, so an assignment that raced the route's end is undone (the parcel released).
 */
export const AcceptParcel = struct('AcceptParcel', { routeId: RouteId, parcelId: Identifier });
export type AcceptParcel = t.TypeOf<typeof AcceptParcel>;

/**
 * Asks the route for a new estimate of its remaining stops' arrivals (docs/eta.md): sent by the ETA reactor
 * and its telemetry consumer, not by people. The route computes it from its own stops and the latest of
 * `position` and what it knows already, with `model`; with `throttle` (a position-driven check) it records
 * nothing when the last estimate is recent and the new one hardly differs.
 */
export const EstimateArrivals = struct(
  'EstimateArrivals',
  { routeId: RouteId, model: EtaModel, trigger: EtaTrigger },
  { position: EtaPosition, throttle: EtaThrottle },
);
export type EstimateArrivals = t.TypeOf<typeof EstimateArrivals>;

export type RouteCommand =
  | Command<'PlanRoute', PlanRoute>
  | Command<'AssignRouteVehicle', AssignRouteVehicle>
  | Command<'StartRoute', StartRoute>
  | Command<'CompleteStop', CompleteStop>
  | Command<'SkipStop', SkipStop>
  | Command<'ResequenceStops', ResequenceStops>
  | Command<'FinishRoute', FinishRoute>
  | Command<'CancelRoute', CancelRoute>
  | Command<'RecordParcelRefusal', RecordParcelRefusal>
  | Command<'AcceptParcel', AcceptParcel>
  | Command<'EstimateArrivals', EstimateArrivals>;

/** Every command's data codec, by command type: what the edge decodes requests with. */
export const routeCommands = {
  PlanRoute,
  AssignRouteVehicle,
  StartRoute,
  CompleteStop,
  SkipStop,
  ResequenceStops,
  FinishRoute,
  CancelRoute,
  RecordParcelRefusal,
  AcceptParcel,
  EstimateArrivals,
} as const;
