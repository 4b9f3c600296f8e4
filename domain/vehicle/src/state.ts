// What the Vehicle decider needs to remember, as a union of its duty states, and how facts move it.
// Positions are not state: the aggregate knows nothing of telemetry.
import type { Identifier, Kilograms } from '@meridian/kernel';
import type { VehicleEvent } from './events.ts';
import type { VehicleId } from './values.ts';

/** Facts that hold in every state once the vehicle is registered. */
export type VehicleFacts = {
  readonly vehicleId: VehicleId;
  readonly depotId: Identifier;
  readonly capacityKg: Kilograms;
};

type Parked = { readonly vehicle: VehicleFacts };
type Driven = Parked & { readonly driverId: Identifier };
type OnRoute = Driven & { readonly routeId: Identifier; readonly plannedLoadKg: Kilograms };

export type VehicleState =
  | { readonly status: 'Unregistered' }
  | ({ readonly status: 'OffDuty' } & Parked)
  | ({ readonly status: 'OnDuty' } & Driven)
  | ({ readonly status: 'OnRoute' } & OnRoute)
  | ({ readonly status: 'Retired' } & Parked);

export type VehicleStatus = VehicleState['status'];

export const initialVehicleState: VehicleState = { status: 'Unregistered' };

/** A new capacity applies in every state but the two ends of the lifecycle. */
const withCapacity = (state: VehicleState, capacityKg: Kilograms): VehicleState =>
  state.status === 'Unregistered' || state.status === 'Retired' ? state : { ...state, vehicle: { ...state.vehicle, capacityKg } };

/** Folds one fact. Facts that do not fit the state leave it unchanged: evolve never throws. */
export const evolveVehicle = (state: VehicleState, event: VehicleEvent): VehicleState => {
  switch (event.type) {
    case 'VehicleRegistered': {
      const { vehicleId, depotId, capacityKg } = event.data;
      return state.status === 'Unregistered' ? { status: 'OffDuty', vehicle: { vehicleId, depotId, capacityKg } } : state;
    }
    case 'VehicleWentOnDuty':
      return state.status === 'OffDuty' ? { status: 'OnDuty', vehicle: state.vehicle, driverId: event.data.driverId } : state;
    case 'VehicleWentOffDuty':
      return state.status === 'OnDuty' ? { status: 'OffDuty', vehicle: state.vehicle } : state;
    case 'VehicleAssignedToRoute': {
      const { routeId, plannedLoadKg } = event.data;
      return state.status === 'OnDuty'
        ? { status: 'OnRoute', vehicle: state.vehicle, driverId: state.driverId, routeId, plannedLoadKg }
        : state;
    }
    case 'VehicleReleasedFromRoute':
      return state.status === 'OnRoute' && state.routeId === event.data.routeId
        ? { status: 'OnDuty', vehicle: state.vehicle, driverId: state.driverId }
        : state;
    case 'VehicleCapacityChanged':
      return withCapacity(state, event.data.capacityKg);
    case 'VehicleRetired':
      return state.status === 'OffDuty' ? { status: 'Retired', vehicle: state.vehicle } : state;
  }
};
