// FleetView's shapes. Stored: one document per vehicle (its own facts) and one per parcel on board (its
// load). Served: the vehicle with its load summed from the parcels on board (FleetVehicleView).
// Plain JSON; fields that may not apply are null, never absent. The codecs read them at the query edge.
import { oneOf, struct } from '@meridian/kernel';
import type { VehicleStatus } from '@meridian/vehicle';
import * as t from 'io-ts';

export type VehicleDutyStatus = Exclude<VehicleStatus, 'Unregistered'>;

export const vehicleDutyStatuses = ['OffDuty', 'OnDuty', 'OnRoute', 'Retired'] as const satisfies readonly VehicleDutyStatus[];

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

const vehicleFields = {
  vehicleId: t.string,
  depotId: t.string,
  plate: nullable(t.string),
  capacityKg: t.number,
  dutyStatus: oneOf('VehicleDutyStatus', vehicleDutyStatuses),
  /** The driver while on duty or on a route. */
  driverId: nullable(t.string),
  /** The route and its planned load while on a route. */
  routeId: nullable(t.string),
  plannedLoadKg: nullable(t.number),
  registeredAt: t.string,
  /** The latest business time of the vehicle's own facts (UTC); loads carry their own `loadedAt`. */
  updatedAt: t.string,
  /** The last revision of the vehicle's stream applied. */
  revision: t.number,
};

/** Stored in `vehicles`: what the vehicle's own stream says. */
export const FleetVehicleDocument = struct('FleetVehicleDocument', vehicleFields);
export type FleetVehicleDocument = t.TypeOf<typeof FleetVehicleDocument>;

/** Stored in `vehicle-loads`, keyed by parcelId: a parcel on board, from loading until it leaves the vehicle. */
export const FleetLoadDocument = struct('FleetLoadDocument', {
  parcelId: t.string,
  clientId: t.string,
  vehicleId: t.string,
  routeId: t.string,
  weightKg: t.number,
  loadedAt: t.string,
});
export type FleetLoadDocument = t.TypeOf<typeof FleetLoadDocument>;

/** What the query API serves: the vehicle and what is on board now. */
export const FleetVehicleView = struct('FleetVehicleView', {
  ...vehicleFields,
  /** Sum of the weights on board, to the gram. */
  loadKg: t.number,
  /** Parcels on board, sorted. */
  parcelIds: t.readonlyArray(t.string),
  /** loadKg against capacityKg, one decimal; above 100 means overloaded (two loads raced past the edge check). */
  loadPercent: t.number,
});
export type FleetVehicleView = t.TypeOf<typeof FleetVehicleView>;
