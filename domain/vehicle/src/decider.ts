// The Vehicle decider: one small function per command; each answers with facts or the rule broken.
import { exhaustive, isoDateTime, reject, type Decider, type DomainError, type Kilograms } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type {
  AssignVehicleToRoute,
  ChangeVehicleCapacity,
  GoOnDuty,
  RegisterVehicle,
  ReleaseVehicleFromRoute,
  RetireVehicle,
  VehicleCommand,
} from './commands.ts';
import type { VehicleEvent } from './events.ts';
import { recordGeofenceEntered, recordGeofenceLeft, recordIdleEnded, recordIdleStarted } from './presence.ts';
import {
  acceptOffer,
  declineOffer,
  isReserved,
  offerRoute,
  releaseReservation,
  reserve,
  reservedAssignmentProblem,
  withdrawOffer,
} from './reservation.ts';
import { evolveVehicle, initialVehicleState, type VehicleFacts, type VehicleState } from './state.ts';

type Decision = E.Either<DomainError, readonly VehicleEvent[]>;
/** Registered and not retired: the only states in which a command other than registration can do anything. */
type InService = Extract<VehicleState, { status: 'OffDuty' | 'OnDuty' | 'OnRoute' }>;
type OnRoute = Extract<VehicleState, { status: 'OnRoute' }>;

const accept = (...events: VehicleEvent[]): Decision => E.right(events);

const refuseInState = (tag: string, state: VehicleState, wanted: string): Decision =>
  reject(tag, `the vehicle is ${state.status}; ${wanted}`, { status: state.status });

/** The capacity invariant's refusal, with both numbers so the caller can see by how much. */
const capacityExceeded = (plannedLoadKg: Kilograms, capacityKg: Kilograms): Decision =>
  reject('CapacityExceeded', `a planned load of ${plannedLoadKg} kg exceeds the capacity of ${capacityKg} kg`, {
    plannedLoadKg,
    capacityKg,
  });

/** What every vehicle event starts with, so a consumer can file it by vehicle and depot without a lookup. */
const about = ({ vehicleId, depotId }: VehicleFacts) => ({ vehicleId, depotId });

const register = (data: RegisterVehicle, now: Date): Decision =>
  accept({ type: 'VehicleRegistered', data: { ...data, registeredAt: isoDateTime(now) } });

const goOnDuty = (data: GoOnDuty, state: InService, now: Date): Decision => {
  if (state.status !== 'OffDuty')
    return reject('VehicleAlreadyOnDuty', `the vehicle is ${state.status} with driver ${state.driverId}`, {
      status: state.status,
      driverId: state.driverId,
    });
  const { vehicle } = state;
  return accept({
    type: 'VehicleWentOnDuty',
    data: { ...about(vehicle), driverId: data.driverId, capacityKg: vehicle.capacityKg, at: isoDateTime(now) },
  });
};

const goOffDuty = (state: InService, now: Date): Decision => {
  if (isReserved(state))
    return reject('VehicleReserved', `the vehicle is reserved for window ${state.reservation.windowId}`, {
      windowId: state.reservation.windowId,
    });
  if (state.status === 'OnRoute')
    return reject('VehicleOnRoute', `the vehicle is on route ${state.routeId}; release it from the route first`, {
      status: state.status,
      routeId: state.routeId,
    });
  if (state.status === 'OffDuty') return refuseInState('VehicleNotOnDuty', state, 'it is off duty already');
  return accept({ type: 'VehicleWentOffDuty', data: { ...about(state.vehicle), driverId: state.driverId, at: isoDateTime(now) } });
};

/**
 * The double-assignment invariant. The very same assignment again is a redelivered request and changes
 * nothing; another route, or the same route with another load, would silently rewrite the plan, so it is
 * refused until the vehicle is released.
 */
const alreadyOnRoute = (data: AssignVehicleToRoute, state: OnRoute): Decision =>
  state.routeId === data.routeId && state.plannedLoadKg === data.plannedLoadKg
    ? accept()
    : reject(
        'VehicleAlreadyAssigned',
        `the vehicle is assigned to route ${state.routeId} with ${state.plannedLoadKg} kg; release it before assigning it again`,
        { routeId: state.routeId, plannedLoadKg: state.plannedLoadKg },
      );

const assignToRoute = (data: AssignVehicleToRoute, state: InService, now: Date): Decision => {
  if (state.status === 'OnRoute') return alreadyOnRoute(data, state);
  if (state.status === 'OffDuty')
    return refuseInState('VehicleNotOnDuty', state, 'only a vehicle on duty, with a driver, can be assigned to a route');
  const { vehicle, driverId } = state;
  if (data.plannedLoadKg > vehicle.capacityKg) return capacityExceeded(data.plannedLoadKg, vehicle.capacityKg);
  const reserved = isReserved(state) ? reservedAssignmentProblem(state, data.routeId, data.plannedLoadKg) : undefined;
  if (reserved !== undefined) return reserved;
  return accept({
    type: 'VehicleAssignedToRoute',
    data: {
      ...about(vehicle),
      routeId: data.routeId,
      driverId,
      plannedLoadKg: data.plannedLoadKg,
      capacityKg: vehicle.capacityKg,
      at: isoDateTime(now),
    },
  });
};

const releaseFromRoute = (data: ReleaseVehicleFromRoute, state: InService, now: Date): Decision => {
  if (state.status !== 'OnRoute' || state.routeId !== data.routeId)
    return reject('VehicleNotOnRoute', `the vehicle is ${state.status}, not on route ${data.routeId}`, {
      status: state.status,
      ...(state.status === 'OnRoute' && { routeId: state.routeId }),
    });
  return accept({
    type: 'VehicleReleasedFromRoute',
    data: { ...about(state.vehicle), routeId: state.routeId, driverId: state.driverId, at: isoDateTime(now) },
  });
};

/** The load a vehicle is committed to: its route's, or the route offered to it. */
const committedLoad = (state: InService): Kilograms | undefined => {
  if (state.status === 'OnRoute') return state.plannedLoadKg;
  return state.status === 'OnDuty' ? state.reservation?.offer?.plannedLoadKg : undefined;
};

/** The capacity invariant, seen from the other side: a vehicle cannot shrink below the load it is committed to. */
const changeCapacity = (data: ChangeVehicleCapacity, state: InService, now: Date): Decision => {
  const previousCapacityKg = state.vehicle.capacityKg;
  if (data.capacityKg === previousCapacityKg) return accept();
  const load = committedLoad(state);
  if (load !== undefined && load > data.capacityKg) return capacityExceeded(load, data.capacityKg);
  return accept({
    type: 'VehicleCapacityChanged',
    data: { ...about(state.vehicle), capacityKg: data.capacityKg, previousCapacityKg, at: isoDateTime(now) },
  });
};

const retire = (data: RetireVehicle, state: InService, now: Date): Decision =>
  state.status !== 'OffDuty'
    ? refuseInState('VehicleInService', state, 'only a vehicle off duty can be retired')
    : accept({ type: 'VehicleRetired', data: { ...about(state.vehicle), reason: data.reason, at: isoDateTime(now) } });

export const decideVehicle = (command: VehicleCommand, state: VehicleState): Decision => {
  const { now } = command.metadata;
  // Retirement is final, checked first: even registering a retired vehicle's id again says why it is refused.
  if (state.status === 'Retired') return refuseInState('VehicleRetired', state, 'a retired vehicle accepts no command');
  if (command.type === 'RegisterVehicle')
    return state.status === 'Unregistered'
      ? register(command.data, now)
      : refuseInState('VehicleAlreadyRegistered', state, 'it cannot be registered again');
  if (state.status === 'Unregistered') return reject('VehicleNotFound', `vehicle ${command.data.vehicleId} is not registered`);
  switch (command.type) {
    case 'GoOnDuty':
      return goOnDuty(command.data, state, now);
    case 'GoOffDuty':
      return goOffDuty(state, now);
    case 'AssignVehicleToRoute':
      return assignToRoute(command.data, state, now);
    case 'ReleaseVehicleFromRoute':
      return releaseFromRoute(command.data, state, now);
    case 'ChangeVehicleCapacity':
      return changeCapacity(command.data, state, now);
    case 'RetireVehicle':
      return retire(command.data, state, now);
    case 'ReserveVehicle':
      return reserve(command.data, state, now);
    case 'OfferRouteToVehicle':
      return offerRoute(command.data, state, now);
    case 'AcceptRouteOffer':
      return acceptOffer(command.data, state, now);
    case 'DeclineRouteOffer':
      return declineOffer(command.data, state, now);
    case 'WithdrawRouteOffer':
      return withdrawOffer(command.data, state, now);
    case 'ReleaseVehicleReservation':
      return releaseReservation(command.data, state, now);
    case 'RecordGeofenceEntered':
      return recordGeofenceEntered(command.data, state, now);
    case 'RecordGeofenceLeft':
      return recordGeofenceLeft(command.data, state, now);
    case 'RecordIdleStarted':
      return recordIdleStarted(command.data, state, now);
    case 'RecordIdleEnded':
      return recordIdleEnded(command.data, state, now);
    default:
      return exhaustive(command);
  }
};

export const vehicleDecider: Decider<VehicleCommand, VehicleEvent, VehicleState> = {
  initialState: initialVehicleState,
  evolve: evolveVehicle,
  decide: decideVehicle,
};
