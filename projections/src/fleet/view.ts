// FleetView's shapes. Stored: one document per vehicle (its own facts) and one per parcel on board (its
// load). Served: the vehicle with its load summed from the parcels on board (FleetVehicleView).
// Plain JSON types; fields that may not apply are null, never absent.
import type { VehicleStatus } from '@meridian/vehicle';

export type VehicleDutyStatus = Exclude<VehicleStatus, 'Unregistered'>;

export const vehicleDutyStatuses: readonly VehicleDutyStatus[] = ['OffDuty', 'OnDuty', 'OnRoute', 'Retired'];

/** Stored in `vehicles`: what the vehicle's own stream says. */
export type FleetVehicleDocument = {
  readonly vehicleId: string;
  readonly depotId: string;
  readonly plate: string | null;
  readonly capacityKg: number;
  readonly dutyStatus: VehicleDutyStatus;
  /** The driver while on duty or on a route. */
  readonly driverId: string | null;
  /** The route and its planned load while on a route. */
  readonly routeId: string | null;
  readonly plannedLoadKg: number | null;
  readonly registeredAt: string;
  /** The latest business time of the vehicle's own facts (UTC); loads carry their own `loadedAt`. */
  readonly updatedAt: string;
  /** The last revision of the vehicle's stream applied. */
  readonly revision: number;
};

/** Stored in `vehicle-loads`, keyed by parcelId: a parcel on board, from loading until it leaves the vehicle. */
export type FleetLoadDocument = {
  readonly parcelId: string;
  readonly clientId: string;
  readonly vehicleId: string;
  readonly routeId: string;
  readonly weightKg: number;
  readonly loadedAt: string;
};

/** What the query API serves: the vehicle and what is on board now. */
export type FleetVehicleView = FleetVehicleDocument & {
  /** Sum of the weights on board, to the gram. */
  readonly loadKg: number;
  /** Parcels on board, sorted. */
  readonly parcelIds: readonly string[];
  /** loadKg against capacityKg, one decimal; above 100 means overloaded (two loads raced past the edge check). */
  readonly loadPercent: number;
};
