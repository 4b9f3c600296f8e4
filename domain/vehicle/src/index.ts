import type { AggregateDefinition } from '@meridian/kernel';
import type { VehicleCommand } from './commands.ts';
import { vehicleDecider } from './decider.ts';
import { vehicleEvents, type VehicleEvent } from './events.ts';
import type { VehicleState } from './state.ts';

export * from './commands.ts';
export * from './decider.ts';
export * from './events.ts';
export * from './state.ts';
export * from './telemetry.ts';
export * from './values.ts';

export const vehicle: AggregateDefinition<VehicleCommand, VehicleEvent, VehicleState> = {
  type: 'vehicle',
  decider: vehicleDecider,
  events: vehicleEvents,
  idOf: (command) => command.data.vehicleId,
  expects: {
    RegisterVehicle: 'new',
    GoOnDuty: 'existing',
    GoOffDuty: 'existing',
    AssignVehicleToRoute: 'existing',
    ReleaseVehicleFromRoute: 'existing',
    ChangeVehicleCapacity: 'existing',
    RetireVehicle: 'existing',
    ReserveVehicle: 'existing',
    OfferRouteToVehicle: 'existing',
    AcceptRouteOffer: 'existing',
    DeclineRouteOffer: 'existing',
    WithdrawRouteOffer: 'existing',
    ReleaseVehicleReservation: 'existing',
    RecordGeofenceEntered: 'existing',
    RecordGeofenceLeft: 'existing',
    RecordIdleStarted: 'existing',
    RecordIdleEnded: 'existing',
  },
};
