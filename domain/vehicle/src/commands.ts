// Vehicle commands: imperative names, data decoded once at the edge with these codecs.
// Other aggregates' ids (depot, driver, route) are plain Identifiers: aggregates never import each other.
import { type Command, Identifier, Kilograms, NonEmptyString, struct } from '@meridian/kernel';
import type * as t from 'io-ts';
import { VehicleId } from './values.ts';

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

export type VehicleCommand =
  | Command<'RegisterVehicle', RegisterVehicle>
  | Command<'GoOnDuty', GoOnDuty>
  | Command<'GoOffDuty', GoOffDuty>
  | Command<'AssignVehicleToRoute', AssignVehicleToRoute>
  | Command<'ReleaseVehicleFromRoute', ReleaseVehicleFromRoute>
  | Command<'ChangeVehicleCapacity', ChangeVehicleCapacity>
  | Command<'RetireVehicle', RetireVehicle>;

/** Every command's data codec, by command type: what the edge decodes requests with. */
export const vehicleCommands = {
  RegisterVehicle,
  GoOnDuty,
  GoOffDuty,
  AssignVehicleToRoute,
  ReleaseVehicleFromRoute,
  ChangeVehicleCapacity,
  RetireVehicle,
} as const;
