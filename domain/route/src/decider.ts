// The Route decider: one small function per command; each answers with facts or the rule broken.
import { exhaustive, isoDateTime, reject, type Decider, type DomainError, type Identifier } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type {
  AssignRouteVehicle,
  CancelRoute,
  EstimateArrivals,
  PlanRoute,
  RecordParcelRefusal,
  ResequenceStops,
  RouteCommand,
  SkipStop,
} from './commands.ts';
import { estimateArrivals, largestShiftSeconds } from './eta.ts';
import type { RouteEvent } from './events.ts';
import {
  crewOf,
  evolveRoute,
  initialRouteState,
  laterPosition,
  parcelsOf,
  pendingStops,
  type RouteState,
  type RouteStop,
} from './state.ts';
import type { EtaPosition } from './values.ts';

type Decision = E.Either<DomainError, readonly RouteEvent[]>;
type Known = Exclude<RouteState, { status: 'Unplanned' }>;
type InProgress = Extract<RouteState, { status: 'InProgress' }>;

const accept = (...events: RouteEvent[]): Decision => E.right(events);

const refuseInState = (tag: string, state: RouteState, wanted: string): Decision =>
  reject(tag, `the route is ${state.status}; ${wanted}`, { status: state.status });

/** The refusal for a state a command does not apply to, the same tag whichever command was refused. */
const refuseOutside = (state: Known, action: string): Decision => {
  switch (state.status) {
    case 'Finished':
      return refuseInState('RouteAlreadyFinished', state, `a finished route cannot ${action}`);
    case 'Cancelled':
      return refuseInState('RouteAlreadyCancelled', state, `a cancelled route cannot ${action}`);
    case 'InProgress':
      return refuseInState('RouteAlreadyStarted', state, `a route under way cannot ${action}`);
    default:
      return refuseInState('RouteNotStarted', state, `a route must be started to ${action}`);
  }
};

/** Ids that occur more than once, each named once. */
const duplicatesIn = (ids: readonly Identifier[]): Identifier[] => {
  const seen = new Set<Identifier>();
  const twice = new Set<Identifier>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
};

/** Why a plan cannot be accepted, if it cannot: window first, then stops, then parcels. */
const planProblem = ({ dispatchWindow, stops }: PlanRoute, now: Date): Decision | undefined => {
  const [from, to] = [Date.parse(dispatchWindow.from), Date.parse(dispatchWindow.to)];
  if (from >= to) return reject('InvalidDispatchWindow', 'the dispatch window must end after it starts', { dispatchWindow });
  if (to <= now.getTime()) return reject('DispatchWindowInPast', 'the dispatch window must end after now', { dispatchWindow });
  const stopIds = duplicatesIn(stops.map((stop) => stop.stopId));
  if (stopIds.length > 0) return reject('DuplicateStopId', `stop ids must be unique: ${stopIds.join(', ')}`, { stopIds });
  const parcelIds = duplicatesIn(stops.flatMap((stop) => stop.parcelIds));
  if (parcelIds.length > 0)
    return reject('DuplicateParcelId', `a parcel can be on one stop only, once: ${parcelIds.join(', ')}`, { parcelIds });
  return undefined;
};

const plan = (data: PlanRoute, now: Date): Decision => {
  const problem = planProblem(data, now);
  if (problem !== undefined) return problem;
  const { routeId, depotId, dispatchWindow, stops } = data;
  const parcelIds = stops.flatMap((stop) => stop.parcelIds);
  return accept({ type: 'RoutePlanned', data: { routeId, depotId, dispatchWindow, stops, parcelIds, plannedAt: isoDateTime(now) } });
};

/** The crew a re-assignment replaces, named only where it changes: what consumers must release. */
const replacedCrew = (state: Known, data: AssignRouteVehicle) =>
  state.status !== 'Assigned'
    ? {}
    : {
        ...(state.vehicleId !== data.vehicleId && { previousVehicleId: state.vehicleId }),
        ...(state.driverId !== data.driverId && { previousDriverId: state.driverId }),
      };

const assignVehicle = (data: AssignRouteVehicle, state: Known, now: Date): Decision => {
  if (state.status !== 'Planned' && state.status !== 'Assigned') return refuseOutside(state, 'change its vehicle or driver');
  if (state.status === 'Assigned' && state.vehicleId === data.vehicleId && state.driverId === data.driverId) return accept();
  const { routeId, dispatchWindow, stops } = state.route;
  const { vehicleId, driverId } = data;
  return accept({
    type: 'RouteVehicleAssigned',
    data: {
      routeId,
      vehicleId,
      driverId,
      ...replacedCrew(state, data),
      dispatchWindow,
      parcelIds: parcelsOf(stops),
      assignedAt: isoDateTime(now),
    },
  });
};

const start = (state: Known, now: Date): Decision => {
  if (state.status === 'Planned') return refuseInState('RouteNotAssigned', state, 'assign a vehicle and a driver before starting it');
  if (state.status !== 'Assigned') return refuseOutside(state, 'start');
  const { routeId, dispatchWindow, stops } = state.route;
  if (now.getTime() >= Date.parse(dispatchWindow.to))
    return reject('DispatchWindowClosed', `the dispatch window ended at ${dispatchWindow.to}`, { dispatchWindow });
  const { vehicleId, driverId } = state;
  return accept({
    type: 'RouteStarted',
    data: { routeId, vehicleId, driverId, stopIds: stops.map((stop) => stop.stopId), startedAt: isoDateTime(now) },
  });
};

/** The pending stop a completion or a skip closes, or why there is none. */
const stopToClose = (state: InProgress, stopId: Identifier): E.Either<DomainError, RouteStop> => {
  const stop = state.route.stops.find((candidate) => candidate.stopId === stopId);
  if (stop === undefined) return reject('UnknownStop', `route ${state.route.routeId} has no stop ${stopId}`, { stopId });
  if (stop.status !== 'pending')
    return reject('StopAlreadyClosed', `stop ${stopId} is already ${stop.status}`, { stopId, stopStatus: stop.status });
  return E.right(stop);
};

/** What both a completion and a skip tell: which stop, its parcels, the vehicle, and what remains. */
const closingFacts = (state: InProgress, stop: RouteStop) => ({
  routeId: state.route.routeId,
  stopId: stop.stopId,
  parcelIds: stop.parcelIds,
  vehicleId: state.vehicleId,
  remainingStops: pendingStops(state.route.stops).length - 1,
});

const completeStop = (stopId: Identifier, state: Known, now: Date): Decision => {
  if (state.status !== 'InProgress') return refuseOutside(state, 'complete a stop');
  return pipe(
    stopToClose(state, stopId),
    E.map((stop): readonly RouteEvent[] => [
      { type: 'RouteStopCompleted', data: { ...closingFacts(state, stop), completedAt: isoDateTime(now) } },
    ]),
  );
};

const skipStop = (data: SkipStop, state: Known, now: Date): Decision => {
  if (state.status !== 'InProgress') return refuseOutside(state, 'skip a stop');
  return pipe(
    stopToClose(state, data.stopId),
    E.map((stop): readonly RouteEvent[] => [
      { type: 'RouteStopSkipped', data: { ...closingFacts(state, stop), reason: data.reason, skippedAt: isoDateTime(now) } },
    ]),
  );
};

/** How a proposed order differs from a permutation of the pending stops; undefined when it is one. */
const sequenceProblem = (proposed: readonly Identifier[], stops: readonly RouteStop[]) => {
  const pending = new Set(pendingStops(stops).map((stop) => stop.stopId));
  const known = new Set(stops.map((stop) => stop.stopId));
  const named = new Set(proposed);
  const problem = {
    missing: [...pending].filter((stopId) => !named.has(stopId)),
    unknown: [...named].filter((stopId) => !known.has(stopId)),
    closed: [...named].filter((stopId) => known.has(stopId) && !pending.has(stopId)),
    repeated: duplicatesIn(proposed),
  };
  return Object.values(problem).some((stopIds) => stopIds.length > 0) ? problem : undefined;
};

const resequenceStops = (data: ResequenceStops, state: Known, now: Date): Decision => {
  if (state.status === 'Finished' || state.status === 'Cancelled') return refuseOutside(state, 'change its stop order');
  const problem = sequenceProblem(data.stopIds, state.route.stops);
  if (problem !== undefined)
    return reject('InvalidStopSequence', 'the new order must name every pending stop exactly once, and no other stop', problem);
  const current = pendingStops(state.route.stops).map((stop) => stop.stopId);
  // The same order again is no change, and no fact.
  if (current.every((stopId, index) => data.stopIds[index] === stopId)) return accept();
  return accept({
    type: 'RouteStopsResequenced',
    data: { routeId: state.route.routeId, stopIds: data.stopIds, resequencedAt: isoDateTime(now) },
  });
};

const finish = (state: Known, now: Date): Decision => {
  if (state.status !== 'InProgress') return refuseOutside(state, 'finish');
  const { routeId, stops } = state.route;
  const pending = pendingStops(stops).map((stop) => stop.stopId);
  if (pending.length > 0)
    return reject('StopsStillPending', `${pending.length} stop(s) still pending: complete or skip them first`, { stopIds: pending });
  const count = (status: RouteStop['status']) => stops.filter((stop) => stop.status === status).length;
  const { vehicleId, driverId } = state;
  return accept({
    type: 'RouteFinished',
    data: {
      routeId,
      vehicleId,
      driverId,
      completedStops: count('completed'),
      skippedStops: count('skipped'),
      finishedAt: isoDateTime(now),
      parcelIds: parcelsOf(stops),
    },
  });
};

/** Releases what the route held: parcels of every stop not completed (skipped ones too), and its crew. */
const cancel = (data: CancelRoute, state: Known, now: Date): Decision => {
  if (state.status === 'Finished' || state.status === 'Cancelled') return refuseOutside(state, 'be cancelled');
  const { routeId, stops } = state.route;
  const releasedParcelIds = parcelsOf(stops.filter((stop) => stop.status !== 'completed'));
  return accept({
    type: 'RouteCancelled',
    data: { routeId, reason: data.reason, ...crewOf(state), releasedParcelIds, cancelledAt: isoDateTime(now), parcelIds: parcelsOf(stops) },
  });
};

/**
 * A parcel that refused to join the route is dropped from its stop, in any state: the refusal happened
 * (often a moment after the plan), and the route and its board must not go on listing the parcel.
 */
const recordRefusal = (data: RecordParcelRefusal, state: Known, now: Date): Decision => {
  const { routeId, stops } = state.route;
  const stop = stops.find((candidate) => candidate.parcelIds.includes(data.parcelId));
  if (stop === undefined)
    return reject('ParcelNotOnRoute', `parcel ${data.parcelId} is not on route ${routeId} (or was dropped already)`, {
      parcelId: data.parcelId,
    });
  const { parcelId, code, reason } = data;
  return accept({
    type: 'RouteParcelRefused',
    data: { routeId, parcelId, stopId: stop.stopId, code, ...(reason && { reason }), refusedAt: isoDateTime(now) },
  });
};

/** An open route takes any parcel assigned to it (no fact: the parcel's own records it); an ended one none. */
const acceptParcel = (state: Known): Decision =>
  state.status === 'Finished' || state.status === 'Cancelled' ? refuseOutside(state, 'take parcels') : accept();

/** Where the estimate starts: the latest position known, or (nothing known yet) the first remaining stop, now. */
const startOfEstimate = (data: EstimateArrivals, state: InProgress, first: RouteStop, now: Date): EtaPosition =>
  laterPosition(state.route.lastSeen, data.position) ?? {
    lat: first.location.lat,
    lng: first.location.lng,
    at: isoDateTime(now),
    source: 'first-stop',
  };

/** A throttled (position-driven) estimate is recorded only when the last is old enough or this one moved enough. */
const isWorthRecording = (data: EstimateArrivals, state: InProgress, stops: readonly { stopId: string; eta: string }[], now: Date) => {
  const { throttle } = data;
  const last = state.route.estimate;
  if (throttle === undefined || last === undefined) return true;
  if (now.getTime() - Date.parse(last.computedAt) >= throttle.intervalSeconds * 1000) return true;
  return largestShiftSeconds(last.stops, stops) > throttle.thresholdSeconds;
};

/**
 * The remaining stops' arrivals from the van's last known position, computed at `now` (docs/eta.md): the van
 * is taken to leave that position now. A route with no stop left has nothing to estimate.
 */
const estimate = (data: EstimateArrivals, state: Known, now: Date): Decision => {
  if (state.status !== 'InProgress') return refuseOutside(state, 'estimate arrivals');
  const pending = pendingStops(state.route.stops);
  const first = pending[0];
  if (first === undefined) return accept();
  const position = startOfEstimate(data, state, first, now);
  const stops = estimateArrivals(data.model, position, now, pending).map(({ stop, eta }) => ({
    stopId: stop.stopId,
    parcelIds: stop.parcelIds,
    eta: isoDateTime(eta),
  }));
  if (!isWorthRecording(data, state, stops, now)) return accept();
  return accept({
    type: 'RouteEtaUpdated',
    data: {
      routeId: state.route.routeId,
      vehicleId: state.vehicleId,
      stops,
      position,
      model: data.model,
      trigger: data.trigger,
      computedAt: isoDateTime(now),
    },
  });
};

export const decideRoute = (command: RouteCommand, state: RouteState): Decision => {
  const { now } = command.metadata;
  if (command.type === 'PlanRoute')
    return state.status === 'Unplanned'
      ? plan(command.data, now)
      : refuseInState('RouteAlreadyPlanned', state, 'it cannot be planned again');
  if (state.status === 'Unplanned') return reject('RouteNotFound', `route ${command.data.routeId} is not planned`);
  switch (command.type) {
    case 'AssignRouteVehicle':
      return assignVehicle(command.data, state, now);
    case 'StartRoute':
      return start(state, now);
    case 'CompleteStop':
      return completeStop(command.data.stopId, state, now);
    case 'SkipStop':
      return skipStop(command.data, state, now);
    case 'ResequenceStops':
      return resequenceStops(command.data, state, now);
    case 'FinishRoute':
      return finish(state, now);
    case 'CancelRoute':
      return cancel(command.data, state, now);
    case 'RecordParcelRefusal':
      return recordRefusal(command.data, state, now);
    case 'AcceptParcel':
      return acceptParcel(state);
    case 'EstimateArrivals':
      return estimate(command.data, state, now);
    default:
      return exhaustive(command);
  }
};

export const routeDecider: Decider<RouteCommand, RouteEvent, RouteState> = {
  initialState: initialRouteState,
  evolve: evolveRoute,
  decide: decideRoute,
};
