// The dispatch saga's own events, in its stream `dispatch-<windowId>`: each step it took and why, with the
// time of the input that caused it. They are its state (folded by evolve) and the window's history (the
// dispatch-windows projection reads them as a timeline), so they name what happened in the saga's words:
// a vehicle secured, an optimization failed and when it is retried, a route offered until a deadline.
import { arrayOf, eventCatalog, GeoPoint, Identifier, IsoDateTime, Kilograms, oneOf, struct, type DomainEvent } from '@meridian/kernel';
import { ParcelId } from '@meridian/parcel';
import { DispatchWindow, RouteId } from '@meridian/route';
import { VehicleId } from '@meridian/vehicle';
import * as t from 'io-ts';
import { windowLimits, WindowId, WindowParcel } from './values.ts';

const at = { at: IsoDateTime };
const Count = t.number;
const Text = t.string;
const ParcelIds = arrayOf(ParcelId, { max: windowLimits.parcels, name: 'ParcelIds' });
const VehicleIds = arrayOf(VehicleId, { max: windowLimits.vehicles, name: 'VehicleIds' });

export const DispatchStarted = struct('DispatchStarted', {
  windowId: WindowId,
  depotId: Identifier,
  depot: GeoPoint,
  dispatchWindow: DispatchWindow,
  parcels: arrayOf(WindowParcel, { min: 1, max: windowLimits.parcels, name: 'WindowParcels' }),
  vehicleIds: arrayOf(VehicleId, { min: 1, max: windowLimits.vehicles, name: 'VehicleIds' }),
  acceptanceSeconds: Count,
  serviceSeconds: Count,
  optimizerSeconds: Count,
  ...at,
});
export type DispatchStarted = t.TypeOf<typeof DispatchStarted>;

export const VehicleSecured = struct('VehicleSecured', { vehicleId: VehicleId, driverId: Identifier, capacityKg: Kilograms, ...at });
export type VehicleSecured = t.TypeOf<typeof VehicleSecured>;

/** A refusal's code and message, as the command handling gave them. */
const refusal = { reason: Text, detail: Text };

export const VehicleUnavailable = struct('VehicleUnavailable', { vehicleId: VehicleId, ...refusal, ...at });
export type VehicleUnavailable = t.TypeOf<typeof VehicleUnavailable>;

export const OptimizationRequested = struct('OptimizationRequested', {
  attempt: Count,
  /** The vehicles of the problem, and when they may leave: the problem is rebuilt from these and the window. */
  vehicleIds: VehicleIds,
  startAt: IsoDateTime,
  ...at,
});
export type OptimizationRequested = t.TypeOf<typeof OptimizationRequested>;

/** Without `retryAt`, the saga gave up: attempts spent, or no time left in the window. */
export const OptimizationFailed = struct('OptimizationFailed', { attempt: Count, error: Text, ...at }, { retryAt: IsoDateTime });
export type OptimizationFailed = t.TypeOf<typeof OptimizationFailed>;

export const OptimizedRoute = struct('OptimizedRoute', {
  routeId: RouteId,
  vehicleId: VehicleId,
  /** In visiting order. */
  parcelIds: ParcelIds,
  distanceMetres: t.number,
});
export type OptimizedRoute = t.TypeOf<typeof OptimizedRoute>;

export const LeftOutParcel = struct('LeftOutParcel', { parcelId: ParcelId, reason: Text });
export type LeftOutParcel = t.TypeOf<typeof LeftOutParcel>;

export const RoutesOptimized = struct('RoutesOptimized', {
  attempt: Count,
  optimizer: Text,
  distanceMetres: t.number,
  routes: arrayOf(OptimizedRoute, { max: windowLimits.vehicles, name: 'OptimizedRoutes' }),
  leftOut: arrayOf(LeftOutParcel, { max: windowLimits.parcels, name: 'LeftOutParcels' }),
  ...at,
});
export type RoutesOptimized = t.TypeOf<typeof RoutesOptimized>;

const aboutParcel = { routeId: RouteId, parcelId: ParcelId };

export const ParcelHeld = struct('ParcelHeld', { ...aboutParcel, ...at });
export type ParcelHeld = t.TypeOf<typeof ParcelHeld>;

export const ParcelRefused = struct('ParcelRefused', { ...aboutParcel, ...refusal, ...at });
export type ParcelRefused = t.TypeOf<typeof ParcelRefused>;

export const ParcelReturned = struct('ParcelReturned', { ...aboutParcel, ...at });
export type ParcelReturned = t.TypeOf<typeof ParcelReturned>;

/** The route's plan is recorded: its parcels are assigned to it now. */
export const RouteCreated = struct('RouteCreated', { routeId: RouteId, ...at });
export type RouteCreated = t.TypeOf<typeof RouteCreated>;

/** Every parcel of the route answered: it carries those it holds, in visiting order. */
export const RouteFilled = struct('RouteFilled', { routeId: RouteId, parcelIds: ParcelIds, loadKg: Kilograms, ...at });
export type RouteFilled = t.TypeOf<typeof RouteFilled>;

/** Someone cancelled the route while its parcels were still answering: it is dropped once they all have. */
export const RouteCancelledMeanwhile = struct('RouteCancelledMeanwhile', { routeId: RouteId, detail: Text, ...at });
export type RouteCancelledMeanwhile = t.TypeOf<typeof RouteCancelledMeanwhile>;

const anOffer = { routeId: RouteId, vehicleId: VehicleId, attempt: Count };

export const RouteOffered = struct('RouteOffered', { ...anOffer, driverId: Identifier, expiresAt: IsoDateTime, ...at });
export type RouteOffered = t.TypeOf<typeof RouteOffered>;

export const RouteOfferDeclined = struct('RouteOfferDeclined', { ...anOffer, ...at }, { reason: Text });
export type RouteOfferDeclined = t.TypeOf<typeof RouteOfferDeclined>;

export const RouteOfferTimedOut = struct('RouteOfferTimedOut', { ...anOffer, ...at });
export type RouteOfferTimedOut = t.TypeOf<typeof RouteOfferTimedOut>;

export const RouteOfferWithdrawn = struct('RouteOfferWithdrawn', { ...anOffer, ...at });
export type RouteOfferWithdrawn = t.TypeOf<typeof RouteOfferWithdrawn>;

/** The offer itself was refused by the vehicle. */
export const RouteOfferFailed = struct('RouteOfferFailed', { ...anOffer, ...refusal, ...at });
export type RouteOfferFailed = t.TypeOf<typeof RouteOfferFailed>;

export const RouteAccepted = struct('RouteAccepted', { ...anOffer, driverId: Identifier, ...at });
export type RouteAccepted = t.TypeOf<typeof RouteAccepted>;

/** Which side of a confirmation: the vehicle assigned to the route, or the route to the vehicle. */
export const AssignmentSide = oneOf('AssignmentSide', ['vehicle', 'route']);
export type AssignmentSide = t.TypeOf<typeof AssignmentSide>;

export const RouteAssignmentRecorded = struct('RouteAssignmentRecorded', { routeId: RouteId, side: AssignmentSide, ...at });
export type RouteAssignmentRecorded = t.TypeOf<typeof RouteAssignmentRecorded>;

export const RouteAssignmentFailed = struct('RouteAssignmentFailed', { routeId: RouteId, side: AssignmentSide, ...refusal, ...at });
export type RouteAssignmentFailed = t.TypeOf<typeof RouteAssignmentFailed>;

export const RouteConfirmed = struct('RouteConfirmed', {
  routeId: RouteId,
  vehicleId: VehicleId,
  driverId: Identifier,
  parcelIds: ParcelIds,
  loadKg: Kilograms,
  ...at,
});
export type RouteConfirmed = t.TypeOf<typeof RouteConfirmed>;

/** Why a route is given up, its parcels going back to the pool. */
export const dropReasons = [
  'no-parcel-held',
  'plan-refused',
  'no-driver',
  'window-closed',
  'assignment-refused',
  'route-cancelled',
] as const;
export const DropReason = oneOf('DropReason', [...dropReasons]);
export type DropReason = t.TypeOf<typeof DropReason>;

export const RouteDropped = struct('RouteDropped', { routeId: RouteId, reason: DropReason, detail: Text, ...at });
export type RouteDropped = t.TypeOf<typeof RouteDropped>;

export const VehiclesReleasing = struct('VehiclesReleasing', { vehicleIds: VehicleIds, ...at });
export type VehiclesReleasing = t.TypeOf<typeof VehiclesReleasing>;

export const VehicleReleased = struct('VehicleReleased', { vehicleId: VehicleId, ...at });
export type VehicleReleased = t.TypeOf<typeof VehicleReleased>;

/** Why the whole window is given up before any route is planned. */
export const AbandonReason = oneOf('AbandonReason', ['no-vehicle', 'optimizer-failed']);
export type AbandonReason = t.TypeOf<typeof AbandonReason>;

export const DispatchAbandoned = struct('DispatchAbandoned', { reason: AbandonReason, detail: Text, ...at });
export type DispatchAbandoned = t.TypeOf<typeof DispatchAbandoned>;

export const DispatchedRoute = struct('DispatchedRoute', {
  routeId: RouteId,
  vehicleId: VehicleId,
  driverId: Identifier,
  parcelIds: ParcelIds,
  loadKg: Kilograms,
});
export type DispatchedRoute = t.TypeOf<typeof DispatchedRoute>;

export const NotDispatchedParcel = struct('NotDispatchedParcel', { parcelId: ParcelId, reason: Text, detail: Text });
export type NotDispatchedParcel = t.TypeOf<typeof NotDispatchedParcel>;

export const OutcomeStatus = oneOf('DispatchOutcomeStatus', ['dispatched', 'partly-dispatched', 'not-dispatched']);
export type OutcomeStatus = t.TypeOf<typeof OutcomeStatus>;

/** What the window came to: the routes confirmed, and each parcel not dispatched, with why. */
export const DispatchCompleted = struct('DispatchCompleted', {
  status: OutcomeStatus,
  routes: arrayOf(DispatchedRoute, { max: windowLimits.vehicles, name: 'DispatchedRoutes' }),
  notDispatched: arrayOf(NotDispatchedParcel, { max: windowLimits.parcels, name: 'NotDispatchedParcels' }),
  ...at,
});
export type DispatchCompleted = t.TypeOf<typeof DispatchCompleted>;

export type DispatchEvent =
  | DomainEvent<'DispatchStarted', DispatchStarted>
  | DomainEvent<'VehicleSecured', VehicleSecured>
  | DomainEvent<'VehicleUnavailable', VehicleUnavailable>
  | DomainEvent<'OptimizationRequested', OptimizationRequested>
  | DomainEvent<'OptimizationFailed', OptimizationFailed>
  | DomainEvent<'RoutesOptimized', RoutesOptimized>
  | DomainEvent<'ParcelHeld', ParcelHeld>
  | DomainEvent<'ParcelRefused', ParcelRefused>
  | DomainEvent<'ParcelReturned', ParcelReturned>
  | DomainEvent<'RouteCreated', RouteCreated>
  | DomainEvent<'RouteFilled', RouteFilled>
  | DomainEvent<'RouteCancelledMeanwhile', RouteCancelledMeanwhile>
  | DomainEvent<'RouteOffered', RouteOffered>
  | DomainEvent<'RouteOfferDeclined', RouteOfferDeclined>
  | DomainEvent<'RouteOfferTimedOut', RouteOfferTimedOut>
  | DomainEvent<'RouteOfferWithdrawn', RouteOfferWithdrawn>
  | DomainEvent<'RouteOfferFailed', RouteOfferFailed>
  | DomainEvent<'RouteAccepted', RouteAccepted>
  | DomainEvent<'RouteAssignmentRecorded', RouteAssignmentRecorded>
  | DomainEvent<'RouteAssignmentFailed', RouteAssignmentFailed>
  | DomainEvent<'RouteConfirmed', RouteConfirmed>
  | DomainEvent<'RouteDropped', RouteDropped>
  | DomainEvent<'VehiclesReleasing', VehiclesReleasing>
  | DomainEvent<'VehicleReleased', VehicleReleased>
  | DomainEvent<'DispatchAbandoned', DispatchAbandoned>
  | DomainEvent<'DispatchCompleted', DispatchCompleted>;

export const dispatchEvents = eventCatalog<DispatchEvent>('dispatch', {
  DispatchStarted: { wireType: 'dispatch.started.v1', data: DispatchStarted },
  VehicleSecured: { wireType: 'dispatch.vehicle-secured.v1', data: VehicleSecured },
  VehicleUnavailable: { wireType: 'dispatch.vehicle-unavailable.v1', data: VehicleUnavailable },
  OptimizationRequested: { wireType: 'dispatch.optimization-requested.v1', data: OptimizationRequested },
  OptimizationFailed: { wireType: 'dispatch.optimization-failed.v1', data: OptimizationFailed },
  RoutesOptimized: { wireType: 'dispatch.routes-optimized.v1', data: RoutesOptimized },
  ParcelHeld: { wireType: 'dispatch.parcel-held.v1', data: ParcelHeld },
  ParcelRefused: { wireType: 'dispatch.parcel-refused.v1', data: ParcelRefused },
  ParcelReturned: { wireType: 'dispatch.parcel-returned.v1', data: ParcelReturned },
  RouteCreated: { wireType: 'dispatch.route-created.v1', data: RouteCreated },
  RouteFilled: { wireType: 'dispatch.route-filled.v1', data: RouteFilled },
  RouteCancelledMeanwhile: { wireType: 'dispatch.route-cancelled-meanwhile.v1', data: RouteCancelledMeanwhile },
  RouteOffered: { wireType: 'dispatch.route-offered.v1', data: RouteOffered },
  RouteOfferDeclined: { wireType: 'dispatch.route-offer-declined.v1', data: RouteOfferDeclined },
  RouteOfferTimedOut: { wireType: 'dispatch.route-offer-timed-out.v1', data: RouteOfferTimedOut },
  RouteOfferWithdrawn: { wireType: 'dispatch.route-offer-withdrawn.v1', data: RouteOfferWithdrawn },
  RouteOfferFailed: { wireType: 'dispatch.route-offer-failed.v1', data: RouteOfferFailed },
  RouteAccepted: { wireType: 'dispatch.route-accepted.v1', data: RouteAccepted },
  RouteAssignmentRecorded: { wireType: 'dispatch.route-assignment-recorded.v1', data: RouteAssignmentRecorded },
  RouteAssignmentFailed: { wireType: 'dispatch.route-assignment-failed.v1', data: RouteAssignmentFailed },
  RouteConfirmed: { wireType: 'dispatch.route-confirmed.v1', data: RouteConfirmed },
  RouteDropped: { wireType: 'dispatch.route-dropped.v1', data: RouteDropped },
  VehiclesReleasing: { wireType: 'dispatch.vehicles-releasing.v1', data: VehiclesReleasing },
  VehicleReleased: { wireType: 'dispatch.vehicle-released.v1', data: VehicleReleased },
  DispatchAbandoned: { wireType: 'dispatch.abandoned.v1', data: DispatchAbandoned },
  DispatchCompleted: { wireType: 'dispatch.completed.v1', data: DispatchCompleted },
});
