// The Parcel decider: one small function per command; each answers with facts or the rule broken.
import { exhaustive, isoDateTime, reject, type Decider, type DomainError, type IsoDateTime } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type {
  AssignParcelToRoute,
  CancelParcel,
  DeliverParcel,
  FailDeliveryAttempt,
  LoadParcel,
  ParcelCommand,
  RecordProofImage,
  RegisterParcel,
  ReleaseParcelFromRoute,
  ReturnParcelToDepot,
  ReturnUndeliveredParcel,
} from './commands.ts';
import type { ParcelEvent } from './events.ts';
import { evolveParcel, initialParcelState, type ParcelFacts, type ParcelState } from './state.ts';
import { maxDeliveryAttempts } from './values.ts';

type Decision = E.Either<DomainError, readonly ParcelEvent[]>;
type Registered = Exclude<ParcelState, { status: 'Unregistered' }>;

const accept = (...events: ParcelEvent[]): Decision => E.right(events);

const refuseInState = (tag: string, state: ParcelState, wanted: string): Decision =>
  reject(tag, `the parcel is ${state.status}; ${wanted}`, { status: state.status });

/** A breach that a late fact reveals, recorded once. */
const breachIfLate = (parcel: ParcelFacts, at: IsoDateTime, status: string): ParcelEvent[] =>
  !parcel.slaBreached && Date.parse(at) > Date.parse(parcel.slaDeadline)
    ? [
        {
          type: 'ParcelSlaBreached',
          data: { parcelId: parcel.parcelId, clientId: parcel.clientId, slaDeadline: parcel.slaDeadline, breachedAt: at, status },
        },
      ]
    : [];

const register = (data: RegisterParcel, now: Date): Decision =>
  Date.parse(data.slaDeadline) <= now.getTime()
    ? reject('SlaDeadlineInPast', 'the SLA deadline must be in the future', { slaDeadline: data.slaDeadline })
    : accept({ type: 'ParcelRegistered', data: { ...data, registeredAt: isoDateTime(now) } });

/** Assigned to that route, and not since taken off it: on its vehicle, out, back from an attempt, or delivered by it. */
const isOnRoute = (state: Registered, routeId: string): boolean => 'routeId' in state && state.routeId === routeId;

const assignToRoute = (data: AssignParcelToRoute, state: Registered, now: Date): Decision => {
  // Assigning it to the route it is on (loaded already, say), or that delivered it, is a repeat: nothing to do.
  // So a plan's assignment that comes late (its reaction behind the driver) changes nothing, and is no refusal.
  if (isOnRoute(state, data.routeId)) return accept();
  if (state.status !== 'Registered' && state.status !== 'AssignedToRoute' && state.status !== 'ReturnedToDepot')
    return refuseInState('ParcelNotAssignable', state, 'only a parcel at the depot can be assigned to a route');
  const { parcelId, clientId } = state.parcel;
  return accept({ type: 'ParcelAssignedToRoute', data: { parcelId, clientId, routeId: data.routeId, assignedAt: isoDateTime(now) } });
};

const releaseFromRoute = (data: ReleaseParcelFromRoute, state: Registered, now: Date): Decision => {
  if (state.status !== 'AssignedToRoute' && state.status !== 'Loaded')
    return refuseInState('ParcelNotReleasable', state, 'only a parcel assigned or loaded, not yet out, can be released');
  if (state.routeId !== data.routeId)
    return reject('ParcelOnAnotherRoute', `the parcel is on route ${state.routeId}, not ${data.routeId}`, { routeId: state.routeId });
  const { parcelId, clientId } = state.parcel;
  return accept({
    type: 'ParcelReleasedFromRoute',
    data: { parcelId, clientId, routeId: data.routeId, releasedAt: isoDateTime(now), ...(data.reason && { reason: data.reason }) },
  });
};

const load = (data: LoadParcel, state: Registered, now: Date): Decision => {
  if (state.status === 'Loaded' && state.vehicleId === data.vehicleId) return accept();
  if (state.status !== 'AssignedToRoute')
    return refuseInState('ParcelNotLoadable', state, 'only a parcel assigned to a route can be loaded');
  const { parcelId, clientId, weightKg } = state.parcel;
  return accept({
    type: 'ParcelLoaded',
    data: { parcelId, clientId, routeId: state.routeId, vehicleId: data.vehicleId, loadKg: weightKg, loadedAt: isoDateTime(now) },
  });
};

const startDelivery = (state: Registered, now: Date): Decision => {
  if (state.status !== 'Loaded' && state.status !== 'AttemptFailed')
    return refuseInState('ParcelNotOnVehicle', state, 'only a loaded parcel, or one whose attempt failed, can go out for delivery');
  const { parcel } = state;
  if (parcel.attempts >= maxDeliveryAttempts)
    return reject('MaxDeliveryAttemptsReached', `the parcel has gone out ${parcel.attempts} times; return it to the depot`, {
      attempts: parcel.attempts,
    });
  const { parcelId, clientId, address, slaDeadline } = parcel;
  return accept({
    type: 'ParcelOutForDelivery',
    data: {
      parcelId,
      clientId,
      routeId: state.routeId,
      vehicleId: state.vehicleId,
      attempt: parcel.attempts + 1,
      address,
      slaDeadline,
      startedAt: isoDateTime(now),
    },
  });
};

const deliver = (data: DeliverParcel, state: Registered, now: Date): Decision => {
  if (state.status === 'Delivered') return refuseInState('ParcelAlreadyDelivered', state, 'it cannot be delivered again');
  if (state.status !== 'OutForDelivery')
    return refuseInState('ParcelNotOutForDelivery', state, 'only a parcel out for delivery can be delivered');
  const deliveredAt = data.deliveredAt ?? isoDateTime(now);
  if (Date.parse(deliveredAt) > now.getTime())
    return reject('DeliveryTimeInFuture', 'deliveredAt cannot be later than now', { deliveredAt });
  const { parcel } = state;
  return accept(
    {
      type: 'ParcelDelivered',
      data: {
        parcelId: parcel.parcelId,
        clientId: parcel.clientId,
        routeId: state.routeId,
        vehicleId: state.vehicleId,
        attempt: parcel.attempts,
        proof: data.proof,
        location: data.location,
        deliveredAt,
      },
    },
    ...breachIfLate(parcel, deliveredAt, 'Delivered'),
  );
};

const failAttempt = (data: FailDeliveryAttempt, state: Registered, now: Date): Decision => {
  if (state.status !== 'OutForDelivery')
    return refuseInState('ParcelNotOutForDelivery', state, 'only a parcel out for delivery can fail an attempt');
  const { parcel } = state;
  const failedAt = isoDateTime(now);
  return accept(
    {
      type: 'ParcelDeliveryAttemptFailed',
      data: {
        parcelId: parcel.parcelId,
        clientId: parcel.clientId,
        routeId: state.routeId,
        vehicleId: state.vehicleId,
        attempt: parcel.attempts,
        attemptsLeft: maxDeliveryAttempts - parcel.attempts,
        reason: data.reason,
        failedAt,
        ...(data.note && { note: data.note }),
        ...(data.location && { location: data.location }),
      },
    },
    ...breachIfLate(parcel, failedAt, 'AttemptFailed'),
  );
};

const returnToDepot = (data: ReturnParcelToDepot, state: Registered, now: Date): Decision => {
  if (state.status !== 'AttemptFailed' && state.status !== 'Loaded')
    return refuseInState('ParcelNotReturnable', state, 'only a parcel on a vehicle and not out for delivery can be returned');
  const { parcelId, clientId } = state.parcel;
  return accept({
    type: 'ParcelReturnedToDepot',
    data: {
      parcelId,
      clientId,
      routeId: state.routeId,
      vehicleId: state.vehicleId,
      returnedAt: isoDateTime(now),
      ...(data.reason && { reason: data.reason }),
    },
  });
};

/**
 * After its route ended (finished or cancelled): back to the depot if still on that route's vehicle,
 * released if never loaded; nothing to do if it left the route (delivered, released, cancelled, on another
 * route). Out for delivery, it waits for its outcome (refused: the driver records it first).
 */
const returnUndelivered = (data: ReturnUndeliveredParcel, state: Registered, now: Date): Decision => {
  if (!('routeId' in state) || state.routeId !== data.routeId || state.status === 'Delivered') return accept();
  const { parcelId, clientId } = state.parcel;
  const reason = data.reason && { reason: data.reason };
  switch (state.status) {
    case 'AssignedToRoute':
      return accept({
        type: 'ParcelReleasedFromRoute',
        data: { parcelId, clientId, routeId: data.routeId, releasedAt: isoDateTime(now), ...reason },
      });
    case 'Loaded':
    case 'AttemptFailed':
      return accept({
        type: 'ParcelReturnedToDepot',
        data: { parcelId, clientId, routeId: state.routeId, vehicleId: state.vehicleId, returnedAt: isoDateTime(now), ...reason },
      });
    case 'OutForDelivery':
      return refuseInState('ParcelOutForDelivery', state, 'record its delivery or failed attempt before it can go back to the depot');
  }
};

const cancel = (data: CancelParcel, state: Registered, now: Date): Decision => {
  if (state.status === 'Cancelled') return refuseInState('ParcelAlreadyCancelled', state, 'it cannot be cancelled again');
  if (state.status === 'Delivered') return refuseInState('ParcelAlreadyDelivered', state, 'a delivered parcel cannot be cancelled');
  if (state.status !== 'Registered' && state.status !== 'AssignedToRoute' && state.status !== 'ReturnedToDepot')
    return refuseInState('ParcelAlreadyLoaded', state, 'a parcel can be cancelled only before it is loaded');
  const { parcelId, clientId } = state.parcel;
  return accept({
    type: 'ParcelCancelled',
    data: {
      parcelId,
      clientId,
      reason: data.reason,
      cancelledAt: isoDateTime(now),
      ...(state.status === 'AssignedToRoute' && { routeId: state.routeId }),
    },
  });
};

const recordSlaBreach = (state: Registered, now: Date): Decision => {
  const { parcel } = state;
  if (parcel.slaBreached) return refuseInState('SlaBreachAlreadyRecorded', state, 'its SLA breach is already recorded');
  if (state.status === 'Delivered' || state.status === 'Cancelled')
    return refuseInState('ParcelClosed', state, 'a delivered or cancelled parcel cannot breach its SLA any more');
  const breach = breachIfLate(parcel, isoDateTime(now), state.status);
  return breach.length === 0
    ? reject('SlaNotBreached', `the SLA deadline ${parcel.slaDeadline} has not passed`, { slaDeadline: parcel.slaDeadline })
    : accept(...breach);
};

/** A delivered parcel's proof image, once per image (by its sha256): the same upload again appends nothing. */
const recordProofImage = (data: RecordProofImage, state: Registered, now: Date): Decision => {
  if (state.status !== 'Delivered') return refuseInState('ParcelNotDelivered', state, 'a proof image is taken for a delivered parcel only');
  if (state.proofImages.includes(data.image.sha256)) return accept();
  const { parcelId, clientId } = state.parcel;
  return accept({ type: 'PodImageReceived', data: { parcelId, clientId, ...data.image, receivedAt: isoDateTime(now) } });
};

export const decideParcel = (command: ParcelCommand, state: ParcelState): Decision => {
  const { now } = command.metadata;
  if (command.type === 'RegisterParcel')
    return state.status === 'Unregistered'
      ? register(command.data, now)
      : refuseInState('ParcelAlreadyRegistered', state, 'it cannot be registered again');
  if (state.status === 'Unregistered') return reject('ParcelNotFound', `parcel ${command.data.parcelId} is not registered`);
  switch (command.type) {
    case 'AssignParcelToRoute':
      return assignToRoute(command.data, state, now);
    case 'ReleaseParcelFromRoute':
      return releaseFromRoute(command.data, state, now);
    case 'LoadParcel':
      return load(command.data, state, now);
    case 'StartParcelDelivery':
      return startDelivery(state, now);
    case 'DeliverParcel':
      return deliver(command.data, state, now);
    case 'FailDeliveryAttempt':
      return failAttempt(command.data, state, now);
    case 'ReturnParcelToDepot':
      return returnToDepot(command.data, state, now);
    case 'ReturnUndeliveredParcel':
      return returnUndelivered(command.data, state, now);
    case 'CancelParcel':
      return cancel(command.data, state, now);
    case 'RecordParcelSlaBreach':
      return recordSlaBreach(state, now);
    case 'RecordProofImage':
      return recordProofImage(command.data, state, now);
    default:
      return exhaustive(command);
  }
};

export const parcelDecider: Decider<ParcelCommand, ParcelEvent, ParcelState> = {
  initialState: initialParcelState,
  evolve: evolveParcel,
  decide: decideParcel,
};
