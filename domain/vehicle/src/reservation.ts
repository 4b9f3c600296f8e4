// Reservations and route offers: how a dispatch window holds an on-duty vehicle, offers it a route, and
// lets its driver answer. The vehicle keeps the rules its own stream can prove: one window at a time, one
// offer at a time, the offered load within its capacity, only its own driver answers, and an offer answered
// after its deadline is refused. Repeats of what already happened change nothing, so a command redelivered
// by the saga (or retried by a driver) is harmless.
import { isoDateTime, reject, type DomainError, type Identifier, type Kilograms } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type {
  AcceptRouteOffer,
  DeclineRouteOffer,
  OfferRouteToVehicle,
  ReleaseVehicleReservation,
  ReserveVehicle,
  WithdrawRouteOffer,
} from './commands.ts';
import type { VehicleEvent } from './events.ts';
import type { Reservation, RouteOffer, VehicleFacts, VehicleState } from './state.ts';

type Decision = E.Either<DomainError, readonly VehicleEvent[]>;
type InService = Extract<VehicleState, { status: 'OffDuty' | 'OnDuty' | 'OnRoute' }>;
type OnDuty = Extract<VehicleState, { status: 'OnDuty' }>;
type Reserved = OnDuty & { readonly reservation: Reservation };

const accept = (...events: VehicleEvent[]): Decision => E.right(events);

/** What every reservation fact starts with: the vehicle, its depot, the window and the driver. */
const heldFor = (state: OnDuty, windowId: Identifier) => ({
  vehicleId: state.vehicle.vehicleId,
  depotId: state.vehicle.depotId,
  windowId,
  driverId: state.driverId,
});

export const isReserved = (state: InService): state is Reserved => state.status === 'OnDuty' && state.reservation !== undefined;

/** The vehicle reserved for this window, or why it is not. */
const reservedFor = (state: InService, windowId: Identifier): E.Either<DomainError, Reserved> =>
  isReserved(state) && state.reservation.windowId === windowId
    ? E.right(state)
    : reject('VehicleNotReserved', `the vehicle is not reserved for window ${windowId}`, {
        status: state.status,
        ...(isReserved(state) && { windowId: state.reservation.windowId }),
      });

const notForThisDepot = (vehicle: VehicleFacts, depotId: Identifier): Decision =>
  reject('VehicleInAnotherDepot', `the vehicle belongs to depot ${vehicle.depotId}, not ${depotId}`, { depotId: vehicle.depotId });

export const reserve = (data: ReserveVehicle, state: InService, now: Date): Decision => {
  if (state.status === 'OffDuty')
    return reject('VehicleNotOnDuty', 'the vehicle is off duty; only a vehicle on duty, with a driver, can be reserved', {
      status: state.status,
    });
  if (state.status === 'OnRoute')
    return reject('VehicleOnRoute', `the vehicle is on route ${state.routeId}`, { status: state.status, routeId: state.routeId });
  if (state.vehicle.depotId !== data.depotId) return notForThisDepot(state.vehicle, data.depotId);
  if (state.reservation !== undefined)
    return state.reservation.windowId === data.windowId
      ? accept()
      : reject('VehicleAlreadyReserved', `the vehicle is reserved for window ${state.reservation.windowId}`, {
          windowId: state.reservation.windowId,
        });
  return accept({
    type: 'VehicleReserved',
    data: { ...heldFor(state, data.windowId), capacityKg: state.vehicle.capacityKg, at: isoDateTime(now) },
  });
};

const offerPending = (offer: RouteOffer): Decision =>
  reject('RouteOfferPending', `route ${offer.routeId} is offered to the vehicle already${offer.accepted ? ' and accepted' : ''}`, {
    routeId: offer.routeId,
    accepted: offer.accepted,
  });

export const offerRoute = (data: OfferRouteToVehicle, state: InService, now: Date): Decision => {
  const reserved = reservedFor(state, data.windowId);
  if (E.isLeft(reserved)) return reserved;
  const { reservation, vehicle } = reserved.right;
  const { offer } = reservation;
  if (offer !== undefined)
    return offer.routeId === data.routeId && offer.plannedLoadKg === data.plannedLoadKg ? accept() : offerPending(offer);
  if (data.plannedLoadKg > vehicle.capacityKg)
    return reject('CapacityExceeded', `a planned load of ${data.plannedLoadKg} kg exceeds the capacity of ${vehicle.capacityKg} kg`, {
      plannedLoadKg: data.plannedLoadKg,
      capacityKg: vehicle.capacityKg,
    });
  const { routeId, plannedLoadKg, expiresAt } = data;
  return accept({
    type: 'VehicleRouteOffered',
    data: { ...heldFor(reserved.right, data.windowId), routeId, plannedLoadKg, expiresAt, at: isoDateTime(now) },
  });
};

/** The pending or accepted offer of this route to this vehicle's driver, or why the driver cannot answer it. */
const offerToAnswer = (state: InService, routeId: Identifier, driverId: Identifier): E.Either<DomainError, Reserved> => {
  if (state.status !== 'OffDuty' && state.driverId !== driverId)
    return reject('NotTheVehicleDriver', `driver ${driverId} is not on duty with this vehicle`, { driverId });
  if (!isReserved(state) || state.reservation.offer?.routeId !== routeId)
    return reject('NoRouteOffer', `route ${routeId} is not offered to this vehicle`, { routeId });
  return E.right(state);
};

/** An acceptance again, after the vehicle was assigned to the route it accepted: a driver's retry. */
const alreadyOnIt = (state: InService, routeId: Identifier, driverId: Identifier) =>
  state.status === 'OnRoute' && state.routeId === routeId && state.driverId === driverId;

export const acceptOffer = (data: AcceptRouteOffer, state: InService, now: Date): Decision => {
  if (alreadyOnIt(state, data.routeId, data.driverId)) return accept();
  const answering = offerToAnswer(state, data.routeId, data.driverId);
  if (E.isLeft(answering)) return answering;
  const reserved = answering.right;
  const offer = reserved.reservation.offer;
  if (offer === undefined || offer.accepted) return accept();
  if (now.getTime() >= Date.parse(offer.expiresAt))
    return reject('RouteOfferExpired', `the offer of route ${offer.routeId} expired at ${offer.expiresAt}`, { expiresAt: offer.expiresAt });
  return accept({
    type: 'VehicleRouteOfferAccepted',
    data: {
      ...heldFor(reserved, reserved.reservation.windowId),
      routeId: offer.routeId,
      plannedLoadKg: offer.plannedLoadKg,
      at: isoDateTime(now),
    },
  });
};

const alreadyAccepted = (routeId: Identifier): Decision =>
  reject('RouteOfferAlreadyAccepted', `the offer of route ${routeId} was accepted`, { routeId });

/** A decline after the deadline is still a decline: it only tells the saga sooner. */
export const declineOffer = (data: DeclineRouteOffer, state: InService, now: Date): Decision => {
  if (alreadyOnIt(state, data.routeId, data.driverId)) return alreadyAccepted(data.routeId);
  const answering = offerToAnswer(state, data.routeId, data.driverId);
  if (E.isLeft(answering)) return answering;
  const reserved = answering.right;
  if (reserved.reservation.offer?.accepted === true) return alreadyAccepted(data.routeId);
  return accept({
    type: 'VehicleRouteOfferDeclined',
    data: {
      ...heldFor(reserved, reserved.reservation.windowId),
      routeId: data.routeId,
      at: isoDateTime(now),
      ...(data.reason !== undefined && { reason: data.reason }),
    },
  });
};

/**
 * The saga withdraws an offer whose deadline passed. An accepted offer stays accepted (the driver was first);
 * an offer no longer pending (declined, withdrawn) changes nothing: the fact that ended it says why.
 */
export const withdrawOffer = (data: WithdrawRouteOffer, state: InService, now: Date): Decision => {
  if (state.status === 'OnRoute' && state.routeId === data.routeId) return alreadyAccepted(data.routeId);
  if (!isReserved(state) || state.reservation.windowId !== data.windowId || state.reservation.offer?.routeId !== data.routeId)
    return accept();
  if (state.reservation.offer.accepted) return alreadyAccepted(data.routeId);
  return accept({
    type: 'VehicleRouteOfferWithdrawn',
    data: { ...heldFor(state, data.windowId), routeId: data.routeId, reason: data.reason, at: isoDateTime(now) },
  });
};

/** Ends the reservation, whatever its offer: the saga releases what it no longer needs. */
export const releaseReservation = (data: ReleaseVehicleReservation, state: InService, now: Date): Decision => {
  const reserved = reservedFor(state, data.windowId);
  if (E.isLeft(reserved)) return reserved;
  return accept({ type: 'VehicleReservationReleased', data: { ...heldFor(reserved.right, data.windowId), at: isoDateTime(now) } });
};

/** While reserved, a vehicle can be assigned only to the route its driver accepted, with the offered load. */
export const reservedAssignmentProblem = (
  state: Reserved,
  routeId: Identifier,
  plannedLoadKg: Kilograms,
): E.Either<DomainError, never> | undefined => {
  const { windowId, offer } = state.reservation;
  if (offer?.accepted === true && offer.routeId === routeId && offer.plannedLoadKg === plannedLoadKg) return undefined;
  return reject('VehicleReserved', `the vehicle is reserved for window ${windowId}; only the route its driver accepted can be assigned`, {
    windowId,
    ...(offer?.accepted === true && { routeId: offer.routeId, plannedLoadKg: offer.plannedLoadKg }),
  });
};
