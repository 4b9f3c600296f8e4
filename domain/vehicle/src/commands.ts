// Vehicle commands: imperative names, data decoded once at the edge with these codecs.
// Other aggregates' ids (depot, driver, route) are plain Identifiers: aggregates never import each other.
import { type Command, Identifier, IsoDateTime, Kilograms, NonEmptyString, struct } from '@meridian/kernel';
import type * as t from 'io-ts';
import { FenceKind, Metres, VehicleId } from './values.ts';

export const RegisterVehicle = struct(
  'RegisterVehicle',
  { vehicleId: VehicleId, depotId: Identifier, capacityKg: Kilograms },
  { plate: NonEmptyString },
);
export type RegisterVehicle = t.TypeOf<typeof RegisterVehicle>;

export const GoOnDuty = struct('GoOnDuty', { vehicleId: VehicleId, driverId: Identifier });
export type GoOnDuty = t.TypeOf<typeof GoOnDuty>;

export const GoOffDuty = struct('GoOffDuty', { vehicleId: VehicleId });
export type GoOffDuty = t.TypeOf<typeof GoOffDuty>;

export const AssignVehicleToRoute = struct('AssignVehicleToRoute', {
  vehicleId: VehicleId,
  routeId: Identifier,
  plannedLoadKg: Kilograms,
});
export type AssignVehicleToRoute = t.TypeOf<typeof AssignVehicleToRoute>;

export const ReleaseVehicleFromRoute = struct('ReleaseVehicleFromRoute', { vehicleId: VehicleId, routeId: Identifier });
export type ReleaseVehicleFromRoute = t.TypeOf<typeof ReleaseVehicleFromRoute>;

export const ChangeVehicleCapacity = struct('ChangeVehicleCapacity', { vehicleId: VehicleId, capacityKg: Kilograms });
export type ChangeVehicleCapacity = t.TypeOf<typeof ChangeVehicleCapacity>;

export const RetireVehicle = struct('RetireVehicle', { vehicleId: VehicleId, reason: NonEmptyString });
export type RetireVehicle = t.TypeOf<typeof RetireVehicle>;

// Reservations and route offers, for a dispatch window (the dispatch saga sends all but the driver's answers).

export const ReserveVehicle = struct('ReserveVehicle', { vehicleId: VehicleId, windowId: Identifier, depotId: Identifier });
export type ReserveVehicle = t.TypeOf<typeof ReserveVehicle>;

export const OfferRouteToVehicle = struct('OfferRouteToVehicle', {
  vehicleId: VehicleId,
  windowId: Identifier,
  routeId: Identifier,
  plannedLoadKg: Kilograms,
  /** The driver's deadline: an acceptance at or after it is refused. */
  expiresAt: IsoDateTime,
});
export type OfferRouteToVehicle = t.TypeOf<typeof OfferRouteToVehicle>;

/** The driver's answers. `driverId` is the driver's own, filled in at the edge from who sends it. */
export const AcceptRouteOffer = struct('AcceptRouteOffer', { vehicleId: VehicleId, routeId: Identifier, driverId: Identifier });
export type AcceptRouteOffer = t.TypeOf<typeof AcceptRouteOffer>;

export const DeclineRouteOffer = struct(
  'DeclineRouteOffer',
  { vehicleId: VehicleId, routeId: Identifier, driverId: Identifier },
  { reason: NonEmptyString },
);
export type DeclineRouteOffer = t.TypeOf<typeof DeclineRouteOffer>;

export const WithdrawRouteOffer = struct('WithdrawRouteOffer', {
  vehicleId: VehicleId,
  windowId: Identifier,
  routeId: Identifier,
  reason: NonEmptyString,
});
export type WithdrawRouteOffer = t.TypeOf<typeof WithdrawRouteOffer>;

export const ReleaseVehicleReservation = struct('ReleaseVehicleReservation', { vehicleId: VehicleId, windowId: Identifier });
export type ReleaseVehicleReservation = t.TypeOf<typeof ReleaseVehicleReservation>;

// Presence, recorded by the geofence detector (never by the HTTP API): repeats of what the vehicle's stream
// already says change nothing, so a detector that restarted and sees the van inside again records nothing.

const fencedCommand = {
  vehicleId: VehicleId,
  fenceId: Identifier,
  fenceKind: FenceKind,
  distanceM: Metres,
  /** The deciding ping's time. */
  recordedAt: IsoDateTime,
};
const fencedCommandOptional = { routeId: Identifier, stopId: Identifier };

export const RecordGeofenceEntered = struct('RecordGeofenceEntered', fencedCommand, fencedCommandOptional);
export type RecordGeofenceEntered = t.TypeOf<typeof RecordGeofenceEntered>;

export const RecordGeofenceLeft = struct('RecordGeofenceLeft', fencedCommand, fencedCommandOptional);
export type RecordGeofenceLeft = t.TypeOf<typeof RecordGeofenceLeft>;

const idleCommand = { vehicleId: VehicleId, routeId: Identifier, since: IsoDateTime, recordedAt: IsoDateTime };

export const RecordIdleStarted = struct('RecordIdleStarted', idleCommand);
export type RecordIdleStarted = t.TypeOf<typeof RecordIdleStarted>;

export const RecordIdleEnded = struct('RecordIdleEnded', idleCommand);
export type RecordIdleEnded = t.TypeOf<typeof RecordIdleEnded>;

export type VehicleCommand =
  | Command<'RegisterVehicle', RegisterVehicle>
  | Command<'GoOnDuty', GoOnDuty>
  | Command<'GoOffDuty', GoOffDuty>
  | Command<'AssignVehicleToRoute', AssignVehicleToRoute>
  | Command<'ReleaseVehicleFromRoute', ReleaseVehicleFromRoute>
  | Command<'ChangeVehicleCapacity', ChangeVehicleCapacity>
  | Command<'RetireVehicle', RetireVehicle>
  | Command<'ReserveVehicle', ReserveVehicle>
  | Command<'OfferRouteToVehicle', OfferRouteToVehicle>
  | Command<'AcceptRouteOffer', AcceptRouteOffer>
  | Command<'DeclineRouteOffer', DeclineRouteOffer>
  | Command<'WithdrawRouteOffer', WithdrawRouteOffer>
  | Command<'ReleaseVehicleReservation', ReleaseVehicleReservation>
  | Command<'RecordGeofenceEntered', RecordGeofenceEntered>
  | Command<'RecordGeofenceLeft', RecordGeofenceLeft>
  | Command<'RecordIdleStarted', RecordIdleStarted>
  | Command<'RecordIdleEnded', RecordIdleEnded>;

/** Every command's data codec, by command type: what the edge decodes requests with. */
export const vehicleCommands = {
  RegisterVehicle,
  GoOnDuty,
  GoOffDuty,
  AssignVehicleToRoute,
  ReleaseVehicleFromRoute,
  ChangeVehicleCapacity,
  RetireVehicle,
  ReserveVehicle,
  OfferRouteToVehicle,
  AcceptRouteOffer,
  DeclineRouteOffer,
  WithdrawRouteOffer,
  ReleaseVehicleReservation,
  RecordGeofenceEntered,
  RecordGeofenceLeft,
  RecordIdleStarted,
  RecordIdleEnded,
} as const;
