// What the Vehicle decider needs to remember, as a union of its duty states, and how facts move it.
// Positions are not state: the aggregate knows nothing of telemetry.
import type { Identifier, IsoDateTime, Kilograms } from '@meridian/kernel';
import type { VehicleEvent } from './events.ts';
import type { VehicleId } from './values.ts';

/** A fence the vehicle is inside; a stop's names its route (released with it). */
export type InsideFence = { readonly fenceId: Identifier; readonly routeId?: Identifier };

/** Where telemetry last put the vehicle (presence.ts): the fences it is inside, idle on a route since when. */
export type Presence = {
  readonly fences: readonly InsideFence[];
  readonly idle?: { readonly routeId: Identifier; readonly since: IsoDateTime };
};

/** Facts that hold in every state once the vehicle is registered. */
export type VehicleFacts = {
  readonly vehicleId: VehicleId;
  readonly depotId: Identifier;
  readonly capacityKg: Kilograms;
  /** Absent until a presence fact. */
  readonly presence?: Presence;
};

/** A route offered to the driver: pending until they answer, accepted until the vehicle is assigned to it. */
export type RouteOffer = {
  readonly routeId: Identifier;
  readonly plannedLoadKg: Kilograms;
  readonly expiresAt: IsoDateTime;
  readonly accepted: boolean;
};

/** An on-duty vehicle held for one dispatch window, with the route offered to it (one at a time). */
export type Reservation = { readonly windowId: Identifier; readonly offer?: RouteOffer };

type Parked = { readonly vehicle: VehicleFacts };
type Driven = Parked & { readonly driverId: Identifier };
type OnDuty = Driven & { readonly reservation?: Reservation };
type OnRoute = Driven & { readonly routeId: Identifier; readonly plannedLoadKg: Kilograms };

export type VehicleState =
  | { readonly status: 'Unregistered' }
  | ({ readonly status: 'OffDuty' } & Parked)
  | ({ readonly status: 'OnDuty' } & OnDuty)
  | ({ readonly status: 'OnRoute' } & OnRoute)
  | ({ readonly status: 'Retired' } & Parked);

export type VehicleStatus = VehicleState['status'];

export const initialVehicleState: VehicleState = { status: 'Unregistered' };

/** A new capacity applies in every state but the two ends of the lifecycle. */
const withCapacity = (state: VehicleState, capacityKg: Kilograms): VehicleState =>
  state.status === 'Unregistered' || state.status === 'Retired' ? state : { ...state, vehicle: { ...state.vehicle, capacityKg } };

type OnDutyState = Extract<VehicleState, { status: 'OnDuty' }>;

const free = (state: OnDutyState): VehicleState => ({ status: 'OnDuty', vehicle: state.vehicle, driverId: state.driverId });

/** A change to the reservation of a vehicle reserved for this window; any other state is left as it is. */
const withReservation = (
  state: VehicleState,
  windowId: Identifier,
  change: (reservation: Reservation, state: OnDutyState) => VehicleState,
): VehicleState => (state.status === 'OnDuty' && state.reservation?.windowId === windowId ? change(state.reservation, state) : state);

/** The offer of this route, changed; other offers (and no offer) are left as they are. */
const withOffer = (state: VehicleState, windowId: Identifier, routeId: Identifier, change: (offer: RouteOffer) => RouteOffer | undefined) =>
  withReservation(state, windowId, (reservation, onDuty) => {
    if (reservation.offer?.routeId !== routeId) return onDuty;
    const offer = change(reservation.offer);
    return { ...onDuty, reservation: offer === undefined ? { windowId } : { windowId, offer } };
  });

type ReservationEvent = Extract<
  VehicleEvent,
  {
    type:
      | 'VehicleReserved'
      | 'VehicleRouteOffered'
      | 'VehicleRouteOfferAccepted'
      | 'VehicleRouteOfferDeclined'
      | 'VehicleRouteOfferWithdrawn'
      | 'VehicleReservationReleased';
  }
>;

const evolveReservation = (state: VehicleState, event: ReservationEvent): VehicleState => {
  switch (event.type) {
    case 'VehicleReserved':
      return state.status === 'OnDuty' && state.reservation === undefined
        ? { ...state, reservation: { windowId: event.data.windowId } }
        : state;
    case 'VehicleRouteOffered': {
      const { windowId, routeId, plannedLoadKg, expiresAt } = event.data;
      return withReservation(state, windowId, (_reservation, onDuty) => ({
        ...onDuty,
        reservation: { windowId, offer: { routeId, plannedLoadKg, expiresAt, accepted: false } },
      }));
    }
    case 'VehicleRouteOfferAccepted':
      return withOffer(state, event.data.windowId, event.data.routeId, (offer) => ({ ...offer, accepted: true }));
    case 'VehicleRouteOfferDeclined':
    case 'VehicleRouteOfferWithdrawn':
      return withOffer(state, event.data.windowId, event.data.routeId, () => undefined);
    case 'VehicleReservationReleased':
      return withReservation(state, event.data.windowId, (_reservation, onDuty) => free(onDuty));
  }
};

type PresenceEvent = Extract<
  VehicleEvent,
  { type: 'VehicleGeofenceEntered' | 'VehicleGeofenceLeft' | 'VehicleIdleStarted' | 'VehicleIdleEnded' }
>;

const withPresence = (state: VehicleState, change: (presence: Presence) => Presence): VehicleState =>
  state.status === 'Unregistered' || state.status === 'Retired'
    ? state
    : { ...state, vehicle: { ...state.vehicle, presence: change(state.vehicle.presence ?? { fences: [] }) } };

const evolvePresence = (state: VehicleState, event: PresenceEvent): VehicleState => {
  switch (event.type) {
    case 'VehicleGeofenceEntered': {
      const { fenceId, routeId } = event.data;
      return withPresence(state, (presence) => ({
        ...presence,
        fences: [...presence.fences.filter((fence) => fence.fenceId !== fenceId), { fenceId, ...(routeId !== undefined && { routeId }) }],
      }));
    }
    case 'VehicleGeofenceLeft':
      return withPresence(state, (presence) => ({
        ...presence,
        fences: presence.fences.filter((fence) => fence.fenceId !== event.data.fenceId),
      }));
    case 'VehicleIdleStarted':
      return withPresence(state, (presence) => ({ ...presence, idle: { routeId: event.data.routeId, since: event.data.since } }));
    case 'VehicleIdleEnded':
      return withPresence(state, ({ fences }) => ({ fences }));
  }
};

/** A route's release ends what belonged to it: its stops' fences and idling on it (no fact says so: no ping did). */
const releasedPresence = (vehicle: VehicleFacts, routeId: Identifier): VehicleFacts => {
  if (vehicle.presence === undefined) return vehicle;
  const fences = vehicle.presence.fences.filter((fence) => fence.routeId !== routeId);
  const idle = vehicle.presence.idle?.routeId === routeId ? undefined : vehicle.presence.idle;
  return { ...vehicle, presence: { fences, ...(idle !== undefined && { idle }) } };
};

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
    // An assignment ends the reservation it was reserved under: the vehicle is on its route now.
    case 'VehicleAssignedToRoute': {
      const { routeId, plannedLoadKg } = event.data;
      return state.status === 'OnDuty'
        ? { status: 'OnRoute', vehicle: state.vehicle, driverId: state.driverId, routeId, plannedLoadKg }
        : state;
    }
    case 'VehicleReleasedFromRoute':
      return state.status === 'OnRoute' && state.routeId === event.data.routeId
        ? { status: 'OnDuty', vehicle: releasedPresence(state.vehicle, state.routeId), driverId: state.driverId }
        : state;
    case 'VehicleCapacityChanged':
      return withCapacity(state, event.data.capacityKg);
    case 'VehicleRetired':
      return state.status === 'OffDuty' ? { status: 'Retired', vehicle: state.vehicle } : state;
    case 'VehicleGeofenceEntered':
    case 'VehicleGeofenceLeft':
    case 'VehicleIdleStarted':
    case 'VehicleIdleEnded':
      return evolvePresence(state, event);
    default:
      return evolveReservation(state, event);
  }
};
