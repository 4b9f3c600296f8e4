// Vehicle events: past-tense facts. Each carries the vehicle's depotId and enough state for a consumer (the
// fleet read model: duty status, route, load against capacity) to act without calling back.
// Telemetry (positions) is not here on purpose: it is a separate plane that never enters the log.
import { eventCatalog, Identifier, IsoDateTime, Kilograms, NonEmptyString, struct, type DomainEvent } from '@meridian/kernel';
import type * as t from 'io-ts';
import { FenceKind, Metres, VehicleId } from './values.ts';

const about = { vehicleId: VehicleId, depotId: Identifier };

export const VehicleRegistered = struct(
  'VehicleRegistered',
  { ...about, capacityKg: Kilograms, registeredAt: IsoDateTime },
  { plate: NonEmptyString },
);
export type VehicleRegistered = t.TypeOf<typeof VehicleRegistered>;

export const VehicleWentOnDuty = struct('VehicleWentOnDuty', {
  ...about,
  driverId: Identifier,
  capacityKg: Kilograms,
  at: IsoDateTime,
});
export type VehicleWentOnDuty = t.TypeOf<typeof VehicleWentOnDuty>;

export const VehicleWentOffDuty = struct('VehicleWentOffDuty', { ...about, driverId: Identifier, at: IsoDateTime });
export type VehicleWentOffDuty = t.TypeOf<typeof VehicleWentOffDuty>;

export const VehicleAssignedToRoute = struct('VehicleAssignedToRoute', {
  ...about,
  routeId: Identifier,
  driverId: Identifier,
  plannedLoadKg: Kilograms,
  capacityKg: Kilograms,
  at: IsoDateTime,
});
export type VehicleAssignedToRoute = t.TypeOf<typeof VehicleAssignedToRoute>;

export const VehicleReleasedFromRoute = struct('VehicleReleasedFromRoute', {
  ...about,
  routeId: Identifier,
  driverId: Identifier,
  at: IsoDateTime,
});
export type VehicleReleasedFromRoute = t.TypeOf<typeof VehicleReleasedFromRoute>;

export const VehicleCapacityChanged = struct('VehicleCapacityChanged', {
  ...about,
  capacityKg: Kilograms,
  previousCapacityKg: Kilograms,
  at: IsoDateTime,
});
export type VehicleCapacityChanged = t.TypeOf<typeof VehicleCapacityChanged>;

export const VehicleRetired = struct('VehicleRetired', { ...about, reason: NonEmptyString, at: IsoDateTime });
export type VehicleRetired = t.TypeOf<typeof VehicleRetired>;

// A reservation holds an on-duty vehicle for one dispatch window; a route is offered to its driver, who
// accepts or declines it, or the offer is withdrawn when its deadline passes; the reservation ends when the
// vehicle is assigned to its accepted route or released.
const reserved = { ...about, windowId: Identifier, driverId: Identifier };

export const VehicleReserved = struct('VehicleReserved', { ...reserved, capacityKg: Kilograms, at: IsoDateTime });
export type VehicleReserved = t.TypeOf<typeof VehicleReserved>;

export const VehicleRouteOffered = struct('VehicleRouteOffered', {
  ...reserved,
  routeId: Identifier,
  plannedLoadKg: Kilograms,
  expiresAt: IsoDateTime,
  at: IsoDateTime,
});
export type VehicleRouteOffered = t.TypeOf<typeof VehicleRouteOffered>;

export const VehicleRouteOfferAccepted = struct('VehicleRouteOfferAccepted', {
  ...reserved,
  routeId: Identifier,
  plannedLoadKg: Kilograms,
  at: IsoDateTime,
});
export type VehicleRouteOfferAccepted = t.TypeOf<typeof VehicleRouteOfferAccepted>;

export const VehicleRouteOfferDeclined = struct(
  'VehicleRouteOfferDeclined',
  { ...reserved, routeId: Identifier, at: IsoDateTime },
  { reason: NonEmptyString },
);
export type VehicleRouteOfferDeclined = t.TypeOf<typeof VehicleRouteOfferDeclined>;

export const VehicleRouteOfferWithdrawn = struct('VehicleRouteOfferWithdrawn', {
  ...reserved,
  routeId: Identifier,
  reason: NonEmptyString,
  at: IsoDateTime,
});
export type VehicleRouteOfferWithdrawn = t.TypeOf<typeof VehicleRouteOfferWithdrawn>;

export const VehicleReservationReleased = struct('VehicleReservationReleased', { ...reserved, at: IsoDateTime });
export type VehicleReservationReleased = t.TypeOf<typeof VehicleReservationReleased>;

// Presence, from telemetry (the geofence detector, domain/geofence): the vehicle entered or left a depot's
// or a stop's fence, or stood idle on its route. `recordedAt` is the deciding ping's time, `at` when the
// fact was recorded. A stop's fence names its route and stop.
const fenced = {
  ...about,
  fenceId: Identifier,
  fenceKind: FenceKind,
  distanceM: Metres,
  recordedAt: IsoDateTime,
  at: IsoDateTime,
};
const fencedOptional = { routeId: Identifier, stopId: Identifier };

export const VehicleGeofenceEntered = struct('VehicleGeofenceEntered', fenced, fencedOptional);
export type VehicleGeofenceEntered = t.TypeOf<typeof VehicleGeofenceEntered>;

export const VehicleGeofenceLeft = struct('VehicleGeofenceLeft', fenced, fencedOptional);
export type VehicleGeofenceLeft = t.TypeOf<typeof VehicleGeofenceLeft>;

const idle = { ...about, routeId: Identifier, since: IsoDateTime, recordedAt: IsoDateTime, at: IsoDateTime };

export const VehicleIdleStarted = struct('VehicleIdleStarted', idle);
export type VehicleIdleStarted = t.TypeOf<typeof VehicleIdleStarted>;

export const VehicleIdleEnded = struct('VehicleIdleEnded', idle);
export type VehicleIdleEnded = t.TypeOf<typeof VehicleIdleEnded>;

export type VehicleEvent =
  | DomainEvent<'VehicleRegistered', VehicleRegistered>
  | DomainEvent<'VehicleWentOnDuty', VehicleWentOnDuty>
  | DomainEvent<'VehicleWentOffDuty', VehicleWentOffDuty>
  | DomainEvent<'VehicleAssignedToRoute', VehicleAssignedToRoute>
  | DomainEvent<'VehicleReleasedFromRoute', VehicleReleasedFromRoute>
  | DomainEvent<'VehicleCapacityChanged', VehicleCapacityChanged>
  | DomainEvent<'VehicleRetired', VehicleRetired>
  | DomainEvent<'VehicleReserved', VehicleReserved>
  | DomainEvent<'VehicleRouteOffered', VehicleRouteOffered>
  | DomainEvent<'VehicleRouteOfferAccepted', VehicleRouteOfferAccepted>
  | DomainEvent<'VehicleRouteOfferDeclined', VehicleRouteOfferDeclined>
  | DomainEvent<'VehicleRouteOfferWithdrawn', VehicleRouteOfferWithdrawn>
  | DomainEvent<'VehicleReservationReleased', VehicleReservationReleased>
  | DomainEvent<'VehicleGeofenceEntered', VehicleGeofenceEntered>
  | DomainEvent<'VehicleGeofenceLeft', VehicleGeofenceLeft>
  | DomainEvent<'VehicleIdleStarted', VehicleIdleStarted>
  | DomainEvent<'VehicleIdleEnded', VehicleIdleEnded>;

export const vehicleEvents = eventCatalog<VehicleEvent>('vehicle', {
  VehicleRegistered: { wireType: 'vehicle.registered.v1', data: VehicleRegistered },
  VehicleWentOnDuty: { wireType: 'vehicle.went-on-duty.v1', data: VehicleWentOnDuty },
  VehicleWentOffDuty: { wireType: 'vehicle.went-off-duty.v1', data: VehicleWentOffDuty },
  VehicleAssignedToRoute: { wireType: 'vehicle.assigned-to-route.v1', data: VehicleAssignedToRoute },
  VehicleReleasedFromRoute: { wireType: 'vehicle.released-from-route.v1', data: VehicleReleasedFromRoute },
  VehicleCapacityChanged: { wireType: 'vehicle.capacity-changed.v1', data: VehicleCapacityChanged },
  VehicleRetired: { wireType: 'vehicle.retired.v1', data: VehicleRetired },
  VehicleReserved: { wireType: 'vehicle.reserved.v1', data: VehicleReserved },
  VehicleRouteOffered: { wireType: 'vehicle.route-offered.v1', data: VehicleRouteOffered },
  VehicleRouteOfferAccepted: { wireType: 'vehicle.route-offer-accepted.v1', data: VehicleRouteOfferAccepted },
  VehicleRouteOfferDeclined: { wireType: 'vehicle.route-offer-declined.v1', data: VehicleRouteOfferDeclined },
  VehicleRouteOfferWithdrawn: { wireType: 'vehicle.route-offer-withdrawn.v1', data: VehicleRouteOfferWithdrawn },
  VehicleReservationReleased: { wireType: 'vehicle.reservation-released.v1', data: VehicleReservationReleased },
  VehicleGeofenceEntered: { wireType: 'vehicle.geofence-entered.v1', data: VehicleGeofenceEntered },
  VehicleGeofenceLeft: { wireType: 'vehicle.geofence-left.v1', data: VehicleGeofenceLeft },
  VehicleIdleStarted: { wireType: 'vehicle.idle-started.v1', data: VehicleIdleStarted },
  VehicleIdleEnded: { wireType: 'vehicle.idle-ended.v1', data: VehicleIdleEnded },
});
