// What each of the saga's events sends out: commands, timers, activities. Effects follow from events only,
// so the saga sends something exactly when it records the step that calls for it; an input that records
// nothing sends nothing. The runtime derives each command's request id from the saga and the step, so a
// step's commands sent again after a crash are recognised, and the aggregates treat a repeat as no change.
import {
  cancelTimer,
  intent,
  NonEmptyString,
  requestActivity,
  scheduleTimer,
  type ActivityRequest,
  type CommandIntent,
  type IsoDateTime,
  type TimerRequest,
} from '@meridian/kernel';
import { parcel } from '@meridian/parcel';
import { route as routeAggregate, type PlannedStop } from '@meridian/route';
import { vehicle } from '@meridian/vehicle';
import type { DispatchEvent } from './events.ts';
import { optimizeActivity } from './optimize.ts';
import { problemOfState } from './problem.ts';
import type { ActiveDispatch, RouteSlot } from './state.ts';
import { optimizeGraceSeconds, optimizeKey, timerNames } from './steps.ts';
import { checked } from './values.ts';

export type Effects = {
  readonly commands: readonly CommandIntent[];
  readonly timers: readonly TimerRequest[];
  readonly activities: readonly ActivityRequest[];
};

const nothing: Effects = { commands: [], timers: [], activities: [] };
const send = (...commands: CommandIntent[]): Effects => ({ ...nothing, commands });

/** Why the saga does something, as the aggregates record it. */
const because = (state: ActiveDispatch, what: string) => checked(NonEmptyString, `dispatch window ${state.window.windowId}: ${what}`);

const secondsAfter = (at: IsoDateTime, seconds: number) => new Date(Date.parse(at) + seconds * 1000);

/** The stops of a route: one per parcel, in visiting order, where the parcel goes. */
const stopsOf = (state: ActiveDispatch, parcelIds: readonly string[]): PlannedStop[] => {
  const byId = new Map<string, ActiveDispatch['window']['parcels'][number]>(state.window.parcels.map((p) => [p.parcelId, p]));
  return parcelIds.flatMap((parcelId) => {
    const found = byId.get(parcelId);
    return found === undefined ? [] : [{ stopId: found.parcelId, location: found.location, parcelIds: [found.parcelId] }];
  });
};

/** Drops of a route that was planned, and still is: it is cancelled (its parcels released by the saga too). */
const stillPlanned = (route: RouteSlot): boolean =>
  route.drop !== undefined && !['plan-refused', 'route-cancelled'].includes(route.drop.reason);

/** A dropped route's parcels go back to the pool, a planned route is cancelled, an offer's timer stops. */
const letGo = (state: ActiveDispatch, route: RouteSlot): Effects => {
  const why = because(state, route.drop?.detail ?? 'route dropped');
  const releases = route.parcelIds
    .filter((parcelId) => route.parcels[parcelId]?.status === 'releasing')
    .map((parcelId) => intent(parcel, { type: 'ReleaseParcelFromRoute', data: { parcelId, routeId: route.routeId, reason: why } }));
  const cancel = stillPlanned(route)
    ? [intent(routeAggregate, { type: 'CancelRoute', data: { routeId: route.routeId, reason: why } })]
    : [];
  const timers = route.offers > 0 ? [cancelTimer(timerNames.offer(route.routeId, route.offers))] : [];
  return { commands: [...releases, ...cancel], timers, activities: [] };
};

/** The reservation is released, or the vehicle released from the route it was assigned to before its route was dropped. */
const releases = (state: ActiveDispatch, vehicleIds: readonly ActiveDispatch['window']['vehicleIds'][number][]): Effects =>
  send(
    ...vehicleIds.map((vehicleId) => {
      const slot = state.vehicles[vehicleId];
      const onRoute = slot?.status === 'releasing' ? slot.onRoute : undefined;
      return onRoute === undefined
        ? intent(vehicle, { type: 'ReleaseVehicleReservation', data: { vehicleId, windowId: state.window.windowId } })
        : intent(vehicle, { type: 'ReleaseVehicleFromRoute', data: { vehicleId, routeId: onRoute } });
    }),
  );

const routeOf = (state: ActiveDispatch, routeId: string): RouteSlot | undefined => state.routes[routeId];

export const effectsOf = (event: DispatchEvent, state: ActiveDispatch): Effects => {
  const { window } = state;
  switch (event.type) {
    case 'DispatchStarted':
      return send(
        ...window.vehicleIds.map((vehicleId) =>
          intent(vehicle, { type: 'ReserveVehicle', data: { vehicleId, windowId: window.windowId, depotId: window.depotId } }),
        ),
      );
    case 'OptimizationRequested': {
      const { attempt, at } = event.data;
      return {
        commands: [],
        timers: [scheduleTimer(timerNames.optimizeTimeout(attempt), secondsAfter(at, window.optimizerSeconds + optimizeGraceSeconds))],
        activities: [requestActivity(optimizeActivity, optimizeKey(attempt), problemOfState(state))],
      };
    }
    case 'OptimizationFailed': {
      const { attempt, retryAt } = event.data;
      const retry = retryAt === undefined ? [] : [scheduleTimer(timerNames.optimizeRetry(attempt + 1), retryAt)];
      return { ...nothing, timers: [cancelTimer(timerNames.optimizeTimeout(attempt)), ...retry] };
    }
    case 'RoutesOptimized':
      return {
        commands: event.data.routes.map((route) =>
          intent(routeAggregate, {
            type: 'PlanRoute',
            data: {
              routeId: route.routeId,
              depotId: window.depotId,
              dispatchWindow: window.dispatchWindow,
              stops: stopsOf(state, route.parcelIds),
            },
          }),
        ),
        timers: [cancelTimer(timerNames.optimizeTimeout(event.data.attempt))],
        activities: [],
      };
    case 'RouteCreated': {
      const route = routeOf(state, event.data.routeId);
      return send(
        ...(route?.parcelIds ?? []).map((parcelId) =>
          intent(parcel, { type: 'AssignParcelToRoute', data: { parcelId, routeId: event.data.routeId } }),
        ),
      );
    }
    case 'RouteOffered': {
      const { routeId, vehicleId, attempt, expiresAt } = event.data;
      const plannedLoadKg = routeOf(state, routeId)?.loadKg;
      if (plannedLoadKg === undefined) return nothing;
      return {
        commands: [
          intent(vehicle, {
            type: 'OfferRouteToVehicle',
            data: { vehicleId, windowId: window.windowId, routeId, plannedLoadKg, expiresAt },
          }),
        ],
        timers: [scheduleTimer(timerNames.offer(routeId, attempt), expiresAt)],
        activities: [],
      };
    }
    case 'RouteOfferTimedOut': {
      const { routeId, vehicleId } = event.data;
      return send(
        intent(vehicle, {
          type: 'WithdrawRouteOffer',
          data: { vehicleId, windowId: window.windowId, routeId, reason: because(state, 'no answer by the deadline') },
        }),
      );
    }
    case 'RouteOfferDeclined':
    case 'RouteOfferWithdrawn':
    case 'RouteOfferFailed':
      return { ...nothing, timers: [cancelTimer(timerNames.offer(event.data.routeId, event.data.attempt))] };
    case 'RouteAccepted': {
      const { routeId, vehicleId, driverId, attempt } = event.data;
      const plannedLoadKg = routeOf(state, routeId)?.loadKg;
      if (plannedLoadKg === undefined) return nothing;
      return {
        commands: [
          intent(vehicle, { type: 'AssignVehicleToRoute', data: { vehicleId, routeId, plannedLoadKg } }),
          intent(routeAggregate, { type: 'AssignRouteVehicle', data: { routeId, vehicleId, driverId } }),
        ],
        timers: [cancelTimer(timerNames.offer(routeId, attempt))],
        activities: [],
      };
    }
    case 'RouteDropped': {
      const route = routeOf(state, event.data.routeId);
      return route === undefined ? nothing : letGo(state, route);
    }
    case 'VehiclesReleasing':
      return releases(state, event.data.vehicleIds);
    case 'DispatchAbandoned': {
      const attempt = state.optimization?.attempt;
      return attempt === undefined ? nothing : { ...nothing, timers: [cancelTimer(timerNames.optimizeTimeout(attempt))] };
    }
    default:
      return nothing;
  }
};
