// What an input means to the saga: the events that record it, or none. Each case checks the state first,
// so an input heard again (a redelivered fact, a timer fired twice, a late activity outcome) records
// nothing, and nothing follows from it: that is what makes every step idempotent.
import { isoDateTime, type CommandIntent, type CommandRefusal, type IsoDateTime, type ProcessInput } from '@meridian/kernel';
import { AssignParcelToRoute, ParcelId, ReleaseParcelFromRoute, type ParcelEvent } from '@meridian/parcel';
import { AssignRouteVehicle, PlanRoute, type RouteEvent } from '@meridian/route';
import {
  AssignVehicleToRoute,
  OfferRouteToVehicle,
  ReleaseVehicleFromRoute,
  ReleaseVehicleReservation,
  ReserveVehicle,
  VehicleId,
  type VehicleEvent,
} from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import type { DispatchEvent } from './events.ts';
import { readPlan } from './optimize.ts';
import { problemOfState } from './problem.ts';
import type { ActiveDispatch, DispatchState, RouteSlot, RouteStatus } from './state.ts';
import { attemptOfKey, backoffSeconds, optimizeGraceSeconds, optimizeRetry, timerStepOf } from './steps.ts';
import { checked, later, routeIdOf, type WindowId } from './values.ts';
import type { WindowEvent } from './window.ts';

export type DispatchInput = WindowEvent | VehicleEvent | ParcelEvent | RouteEvent;

type Events = readonly DispatchEvent[];
const none: Events = [];

const routeIn = (state: ActiveDispatch, routeId: string, ...statuses: RouteStatus[]): RouteSlot | undefined => {
  const route = state.routes[routeId];
  return route !== undefined && statuses.includes(route.status) ? route : undefined;
};

/** The route whose current offer went to this vehicle, in one of these states. */
const offeredTo = (state: ActiveDispatch, routeId: string, vehicleId: string, ...statuses: RouteStatus[]): RouteSlot | undefined => {
  const route = routeIn(state, routeId, ...statuses);
  return route?.offer?.vehicleId === vehicleId ? route : undefined;
};

const parcelIs = (route: RouteSlot | undefined, parcelId: string, status: string): route is RouteSlot =>
  route?.parcels[parcelId]?.status === status;

/** The vehicle is being released (from its reservation, or from this route). */
const releasingVehicle = (state: ActiveDispatch, vehicleId: string, fromRoute?: string): boolean => {
  const slot = state.vehicles[vehicleId];
  return slot?.status === 'releasing' && slot.onRoute === fromRoute;
};

// ---- facts ----

type Followed<Ev, T> = Extract<Ev, { type: T }>;
type VehicleFact = Followed<
  VehicleEvent,
  | 'VehicleReserved'
  | 'VehicleRouteOfferAccepted'
  | 'VehicleRouteOfferDeclined'
  | 'VehicleRouteOfferWithdrawn'
  | 'VehicleAssignedToRoute'
  | 'VehicleReservationReleased'
  | 'VehicleReleasedFromRoute'
>;

const vehicleFact = (state: ActiveDispatch, event: VehicleFact, at: IsoDateTime): Events => {
  switch (event.type) {
    case 'VehicleReserved': {
      const { vehicleId, driverId, capacityKg } = event.data;
      return state.vehicles[vehicleId]?.status === 'requested'
        ? [{ type: 'VehicleSecured', data: { vehicleId, driverId, capacityKg, at } }]
        : none;
    }
    case 'VehicleRouteOfferAccepted': {
      const { routeId, vehicleId, driverId } = event.data;
      const route = offeredTo(state, routeId, vehicleId, 'offered', 'withdrawing');
      return route?.offer === undefined
        ? none
        : [
            {
              type: 'RouteAccepted',
              data: { routeId: route.routeId, vehicleId: route.offer.vehicleId, driverId, attempt: route.offer.attempt, at },
            },
          ];
    }
    case 'VehicleRouteOfferDeclined': {
      const route = offeredTo(state, event.data.routeId, event.data.vehicleId, 'offered', 'withdrawing');
      if (route?.offer === undefined) return none;
      const { vehicleId, attempt } = route.offer;
      const reason = event.data.reason;
      return [
        { type: 'RouteOfferDeclined', data: { routeId: route.routeId, vehicleId, attempt, at, ...(reason !== undefined && { reason }) } },
      ];
    }
    case 'VehicleRouteOfferWithdrawn': {
      const route = offeredTo(state, event.data.routeId, event.data.vehicleId, 'withdrawing');
      return route?.offer === undefined
        ? none
        : [
            {
              type: 'RouteOfferWithdrawn',
              data: { routeId: route.routeId, vehicleId: route.offer.vehicleId, attempt: route.offer.attempt, at },
            },
          ];
    }
    case 'VehicleAssignedToRoute': {
      const route = offeredTo(state, event.data.routeId, event.data.vehicleId, 'confirming');
      return route === undefined || route.sides.vehicle !== 'pending'
        ? none
        : [{ type: 'RouteAssignmentRecorded', data: { routeId: route.routeId, side: 'vehicle', at } }];
    }
    case 'VehicleReservationReleased':
      return releasingVehicle(state, event.data.vehicleId)
        ? [{ type: 'VehicleReleased', data: { vehicleId: event.data.vehicleId, at } }]
        : none;
    case 'VehicleReleasedFromRoute':
      return releasingVehicle(state, event.data.vehicleId, event.data.routeId)
        ? [{ type: 'VehicleReleased', data: { vehicleId: event.data.vehicleId, at } }]
        : none;
  }
};

const parcelFact = (
  state: ActiveDispatch,
  event: Followed<ParcelEvent, 'ParcelAssignedToRoute' | 'ParcelReleasedFromRoute'>,
  at: IsoDateTime,
): Events => {
  switch (event.type) {
    case 'ParcelAssignedToRoute': {
      const route = routeIn(state, event.data.routeId, 'holding');
      return parcelIs(route, event.data.parcelId, 'holding')
        ? [{ type: 'ParcelHeld', data: { routeId: route.routeId, parcelId: event.data.parcelId, at } }]
        : none;
    }
    case 'ParcelReleasedFromRoute': {
      const route = state.routes[event.data.routeId];
      return parcelIs(route, event.data.parcelId, 'releasing')
        ? [{ type: 'ParcelReturned', data: { routeId: route.routeId, parcelId: event.data.parcelId, at } }]
        : none;
    }
  }
};

const routeFact = (
  state: ActiveDispatch,
  event: Followed<RouteEvent, 'RoutePlanned' | 'RouteVehicleAssigned' | 'RouteCancelled'>,
  at: IsoDateTime,
): Events => {
  switch (event.type) {
    case 'RoutePlanned':
      return routeIn(state, event.data.routeId, 'submitted') === undefined
        ? none
        : [{ type: 'RouteCreated', data: { routeId: event.data.routeId, at } }];
    case 'RouteVehicleAssigned': {
      const route = offeredTo(state, event.data.routeId, event.data.vehicleId, 'confirming');
      return route === undefined || route.sides.route !== 'pending'
        ? none
        : [{ type: 'RouteAssignmentRecorded', data: { routeId: route.routeId, side: 'route', at } }];
    }
    // Cancelled by someone else before it was confirmed: the saga lets it go (and its vehicle, and parcels),
    // once its parcels have all answered (an assignment on its way would otherwise be left behind).
    case 'RouteCancelled': {
      const detail = `cancelled: ${event.data.reason}`;
      const holding = routeIn(state, event.data.routeId, 'holding');
      if (holding !== undefined)
        return holding.cancelled === undefined
          ? [{ type: 'RouteCancelledMeanwhile', data: { routeId: holding.routeId, detail, at } }]
          : none;
      const route = routeIn(state, event.data.routeId, 'ready', 'offered', 'withdrawing');
      return route === undefined
        ? none
        : [{ type: 'RouteDropped', data: { routeId: route.routeId, reason: 'route-cancelled', detail, at } }];
    }
  }
};

const fact = (state: ActiveDispatch, event: DispatchInput, at: IsoDateTime): Events => {
  switch (event.type) {
    case 'VehicleReserved':
    case 'VehicleRouteOfferAccepted':
    case 'VehicleRouteOfferDeclined':
    case 'VehicleRouteOfferWithdrawn':
    case 'VehicleAssignedToRoute':
    case 'VehicleReservationReleased':
    case 'VehicleReleasedFromRoute':
      return vehicleFact(state, event, at);
    case 'ParcelAssignedToRoute':
    case 'ParcelReleasedFromRoute':
      return parcelFact(state, event, at);
    case 'RoutePlanned':
    case 'RouteVehicleAssigned':
    case 'RouteCancelled':
      return routeFact(state, event, at);
    default:
      return none;
  }
};

// ---- refusals of the saga's own commands ----

/** The data of a refused command, read with its own codec (it is the saga's, so it decodes). */
const dataOf = <A>(command: CommandIntent, codec: { readonly decode: (u: unknown) => E.Either<unknown, A> }): A | undefined => {
  const decoded = codec.decode(command.data);
  return E.isRight(decoded) ? decoded.right : undefined;
};

const why = (refusal: CommandRefusal) => ({ reason: refusal.code, detail: refusal.message });

const refused = (state: ActiveDispatch, command: CommandIntent, refusal: CommandRefusal, at: IsoDateTime): Events => {
  switch (command.type) {
    case 'ReserveVehicle': {
      const data = dataOf(command, ReserveVehicle);
      return data !== undefined && state.vehicles[data.vehicleId]?.status === 'requested'
        ? [{ type: 'VehicleUnavailable', data: { vehicleId: data.vehicleId, ...why(refusal), at } }]
        : none;
    }
    case 'AssignParcelToRoute': {
      const data = dataOf(command, AssignParcelToRoute);
      const route = data === undefined ? undefined : routeIn(state, data.routeId, 'holding');
      return data !== undefined && parcelIs(route, data.parcelId, 'holding')
        ? [{ type: 'ParcelRefused', data: { routeId: route.routeId, parcelId: data.parcelId, ...why(refusal), at } }]
        : none;
    }
    case 'PlanRoute': {
      const data = dataOf(command, PlanRoute);
      const route = data === undefined ? undefined : routeIn(state, data.routeId, 'submitted');
      return route === undefined
        ? none
        : [
            {
              type: 'RouteDropped',
              data: { routeId: route.routeId, reason: 'plan-refused', detail: `${refusal.code}: ${refusal.message}`, at },
            },
          ];
    }
    case 'OfferRouteToVehicle': {
      const data = dataOf(command, OfferRouteToVehicle);
      const route = data === undefined ? undefined : offeredTo(state, data.routeId, data.vehicleId, 'offered');
      return route?.offer === undefined
        ? none
        : [
            {
              type: 'RouteOfferFailed',
              data: { routeId: route.routeId, vehicleId: route.offer.vehicleId, attempt: route.offer.attempt, ...why(refusal), at },
            },
          ];
    }
    case 'AssignVehicleToRoute':
    case 'AssignRouteVehicle': {
      const data = command.type === 'AssignVehicleToRoute' ? dataOf(command, AssignVehicleToRoute) : dataOf(command, AssignRouteVehicle);
      const side = command.type === 'AssignVehicleToRoute' ? 'vehicle' : 'route';
      const route = data === undefined ? undefined : offeredTo(state, data.routeId, data.vehicleId, 'confirming');
      return route === undefined || route.sides[side] !== 'pending'
        ? none
        : [{ type: 'RouteAssignmentFailed', data: { routeId: route.routeId, side, ...why(refusal), at } }];
    }
    // Nothing of ours was held there any more: released already (by the route's cancellation, say).
    case 'ReleaseVehicleReservation':
    case 'ReleaseVehicleFromRoute': {
      const data =
        command.type === 'ReleaseVehicleReservation'
          ? dataOf(command, ReleaseVehicleReservation)
          : dataOf(command, ReleaseVehicleFromRoute);
      const fromRoute = data !== undefined && 'routeId' in data ? data.routeId : undefined;
      return data !== undefined && releasingVehicle(state, data.vehicleId, fromRoute)
        ? [{ type: 'VehicleReleased', data: { vehicleId: data.vehicleId, at } }]
        : none;
    }
    case 'ReleaseParcelFromRoute': {
      const data = dataOf(command, ReleaseParcelFromRoute);
      const route = data === undefined ? undefined : state.routes[data.routeId];
      return data !== undefined && parcelIs(route, data.parcelId, 'releasing')
        ? [{ type: 'ParcelReturned', data: { routeId: route.routeId, parcelId: data.parcelId, at } }]
        : none;
    }
    // A withdrawal refused means the driver answered first; their answer is a fact on its way. A refused
    // cancellation means the route is closed already.
    default:
      return none;
  }
};

// ---- the optimizer ----

/** When to try again after a failed attempt, if the saga tries again: attempts left, and time left in the window. */
const retryAfter = (state: ActiveDispatch, attempt: number, at: IsoDateTime): IsoDateTime | undefined => {
  if (attempt >= optimizeRetry.maxAttempts) return undefined;
  const retryAt = Date.parse(at) + backoffSeconds(attempt) * 1000;
  return retryAt < Date.parse(state.window.dispatchWindow.to) ? isoDateTime(new Date(retryAt)) : undefined;
};

const failed = (state: ActiveDispatch, attempt: number, error: string, at: IsoDateTime): Events => {
  const retryAt = retryAfter(state, attempt, at);
  return [{ type: 'OptimizationFailed', data: { attempt, error, at, ...(retryAt !== undefined && { retryAt }) } }];
};

/** The attempt that is running, if the input is about it. */
const running = (state: ActiveDispatch, attempt: number | undefined): boolean =>
  state.phase === 'optimizing' && state.optimization?.status === 'running' && state.optimization.attempt === attempt;

const outcome = (state: ActiveDispatch, input: Extract<ProcessInput<DispatchInput>, { kind: 'activity' }>, at: IsoDateTime): Events => {
  const attempt = attemptOfKey(input.key);
  if (attempt === undefined || !running(state, attempt)) return none;
  if (!input.outcome.ok) return failed(state, attempt, input.outcome.error, at);
  const plan = readPlan(input.outcome.value, problemOfState(state));
  if (E.isLeft(plan)) return failed(state, attempt, plan.left, at);
  // The plan was checked against the problem: its ids are the window's own, found again with their types.
  const parcels = new Map<string, ParcelId>(state.window.parcels.map((parcel) => [parcel.parcelId, parcel.parcelId]));
  const vehicles = new Map<string, VehicleId>(state.window.vehicleIds.map((vehicleId) => [vehicleId, vehicleId]));
  const parcelId = (id: string) => checked(ParcelId, parcels.get(id));
  const windowId: WindowId = state.window.windowId;
  return [
    {
      type: 'RoutesOptimized',
      data: {
        attempt,
        optimizer: plan.right.optimizer,
        distanceMetres: plan.right.distanceMetres,
        routes: plan.right.routes.map((route, index) => ({
          routeId: routeIdOf(windowId, index + 1),
          vehicleId: checked(VehicleId, vehicles.get(route.vehicleId)),
          parcelIds: route.parcelIds.map(parcelId),
          distanceMetres: route.distanceMetres,
        })),
        leftOut: plan.right.leftOut.map((left) => ({ parcelId: parcelId(left.parcelId), reason: left.reason })),
        at,
      },
    },
  ];
};

// ---- timers ----

const timer = (state: ActiveDispatch, name: string, at: IsoDateTime): Events => {
  const step = timerStepOf(name);
  if (step === undefined) return none;
  switch (step.step) {
    case 'optimize-timeout':
      return running(state, step.attempt)
        ? failed(state, step.attempt, `no answer within ${state.window.optimizerSeconds + optimizeGraceSeconds} s`, at)
        : none;
    case 'optimize-retry': {
      const optimization = state.optimization;
      const due =
        state.phase === 'optimizing' &&
        optimization?.status === 'failed' &&
        optimization.retryAt !== undefined &&
        optimization.attempt === step.attempt - 1;
      return due
        ? [
            {
              type: 'OptimizationRequested',
              data: {
                attempt: step.attempt,
                vehicleIds: optimization.vehicleIds,
                startAt: later(state.window.dispatchWindow.from, at),
                at,
              },
            },
          ]
        : none;
    }
    case 'offer': {
      const route = routeIn(state, step.routeId, 'offered');
      return route?.offer?.attempt === step.attempt
        ? [{ type: 'RouteOfferTimedOut', data: { routeId: route.routeId, vehicleId: route.offer.vehicleId, attempt: step.attempt, at } }]
        : none;
    }
  }
};

const started = (event: WindowEvent, at: IsoDateTime): Events => {
  const { openedAt: _openedAt, ...window } = event.data;
  return [{ type: 'DispatchStarted', data: { ...window, at } }];
};

/** What the input means to the saga: a window opened starts it; the rest is for a saga that has started. */
export const interpret = (state: DispatchState, input: ProcessInput<DispatchInput>, at: IsoDateTime): Events => {
  if (state.phase === 'idle') return input.kind === 'fact' && input.event.type === 'DispatchWindowOpened' ? started(input.event, at) : none;
  switch (input.kind) {
    case 'fact':
      return fact(state, input.event, at);
    case 'refused':
      return refused(state, input.command, input.refusal, at);
    case 'activity':
      return input.activity === 'optimize' ? outcome(state, input, at) : none;
    case 'timer':
      return timer(state, input.name, at);
  }
};
