// What follows from where the saga stands: once an input is recorded, the saga looks at its state and
// takes the next step that is due, if any (optimize once every reservation is answered, plan a route once
// its parcels are held, offer a planned route to a vehicle, release what is no longer needed, complete).
// The steps are found from the state alone, so a step is taken exactly when the state first calls for it,
// and never again: its event changes the state that called for it.
import { isoDateTime, Kilograms, type Identifier, type IsoDateTime } from '@meridian/kernel';
import type { VehicleId } from '@meridian/vehicle';
import type { DispatchEvent } from './events.ts';
import { outcomeOf } from './outcome.ts';
import type { ActiveDispatch, RouteSlot, VehicleSlot, WindowFacts } from './state.ts';
import { checked, later } from './values.ts';

type Step = DispatchEvent | undefined;

const settledVehicle = (slot: VehicleSlot): boolean =>
  slot.status === 'unavailable' || slot.status === 'released' || slot.status === 'dispatched';
const terminalRoute = (route: RouteSlot): boolean => route.status === 'confirmed' || route.status === 'dropped';
const settledParcels = (route: RouteSlot): boolean =>
  Object.values(route.parcels).every((slot) => slot.status !== 'planned' && slot.status !== 'holding' && slot.status !== 'releasing');

const weights = new WeakMap<WindowFacts, ReadonlyMap<string, number>>();
/** Each parcel's weight (kept per window, which never changes once started). */
const weightOf = (window: WindowFacts, parcelId: string): number => {
  let known = weights.get(window);
  if (known === undefined) {
    known = new Map(window.parcels.map((parcel) => [parcel.parcelId, parcel.weightKg]));
    weights.set(window, known);
  }
  return known.get(parcelId) ?? 0;
};

// ---- reserving and optimizing ----

const afterReservations = (state: ActiveDispatch, at: IsoDateTime): Step => {
  if (!Object.values(state.vehicles).every((slot) => slot.status !== 'requested')) return undefined;
  const reserved = state.window.vehicleIds.filter((vehicleId) => state.vehicles[vehicleId]?.status === 'reserved');
  if (reserved.length === 0) {
    const why = Object.entries(state.vehicles).map(
      ([vehicleId, slot]) => `${vehicleId}: ${slot.status === 'unavailable' ? slot.reason : slot.status}`,
    );
    return { type: 'DispatchAbandoned', data: { reason: 'no-vehicle', detail: `no vehicle could be reserved (${why.join(', ')})`, at } };
  }
  return {
    type: 'OptimizationRequested',
    data: { attempt: 1, vehicleIds: reserved, startAt: later(state.window.dispatchWindow.from, at), at },
  };
};

const afterOptimizing = (state: ActiveDispatch, at: IsoDateTime): Step => {
  const { optimization } = state;
  if (optimization?.status !== 'failed' || optimization.retryAt !== undefined) return undefined;
  const detail = `no plan after ${optimization.attempt} attempt${optimization.attempt === 1 ? '' : 's'}; the last: ${optimization.error ?? 'unknown'}`;
  return { type: 'DispatchAbandoned', data: { reason: 'optimizer-failed', detail, at } };
};

// ---- dispatching: hold, plan, offer, confirm ----

/** A route whose parcels all answered: it carries those it holds, or is dropped if it holds none (or was cancelled). */
const toFill = (state: ActiveDispatch, route: RouteSlot, at: IsoDateTime): Step => {
  if (route.cancelled !== undefined)
    return { type: 'RouteDropped', data: { routeId: route.routeId, reason: 'route-cancelled', detail: route.cancelled, at } };
  const held = route.parcelIds.filter((parcelId) => route.parcels[parcelId]?.status === 'held');
  if (held.length === 0)
    return {
      type: 'RouteDropped',
      data: { routeId: route.routeId, reason: 'no-parcel-held', detail: 'every parcel of the route refused it', at },
    };
  const loadKg = checked(
    Kilograms,
    held.reduce((sum, parcelId) => sum + weightOf(state.window, parcelId), 0),
  );
  return { type: 'RouteFilled', data: { routeId: route.routeId, parcelIds: held, loadKg, at } };
};

/** A confirmation whose both sides answered: confirmed, or dropped if a side refused. */
const toConfirm = (route: RouteSlot, at: IsoDateTime): Step => {
  const { vehicle, route: routeSide } = route.sides;
  if (vehicle === 'pending' || routeSide === 'pending' || route.offer === undefined) return undefined;
  if (route.failure !== undefined) {
    const { side, reason, detail } = route.failure;
    return {
      type: 'RouteDropped',
      data: { routeId: route.routeId, reason: 'assignment-refused', detail: `the ${side} refused: ${reason}: ${detail}`, at },
    };
  }
  const { vehicleId, driverId } = route.offer;
  const parcelIds = route.parcelIds.filter((parcelId) => route.parcels[parcelId]?.status === 'held');
  return {
    type: 'RouteConfirmed',
    data: { routeId: route.routeId, vehicleId, driverId, parcelIds, loadKg: checked(Kilograms, route.loadKg), at },
  };
};

/** Vehicles the plan gave to routes not offered yet: kept for them. */
const promised = (state: ActiveDispatch, except: RouteSlot): ReadonlySet<string> =>
  new Set(
    Object.values(state.routes)
      .filter(
        (route) =>
          route !== except &&
          route.offers === 0 &&
          (route.status === 'holding' || route.status === 'submitted' || route.status === 'ready'),
      )
      .map((route) => route.plannedVehicleId),
  );

/** The vehicle to offer a route to: its planned one first, then the first free vehicle of the window that can carry it. */
const vehicleFor = (state: ActiveDispatch, route: RouteSlot): { vehicleId: VehicleId; driverId: Identifier } | undefined => {
  const load = route.loadKg ?? 0;
  const fits = (vehicleId: VehicleId) => {
    const slot = state.vehicles[vehicleId];
    return slot?.status === 'reserved' && slot.capacityKg >= load && !route.tried.includes(vehicleId);
  };
  const kept = promised(state, route);
  const vehicleId =
    route.offers === 0 && fits(route.plannedVehicleId)
      ? route.plannedVehicleId
      : state.window.vehicleIds.find((candidate) => fits(candidate) && !kept.has(candidate));
  const slot = vehicleId === undefined ? undefined : state.vehicles[vehicleId];
  return vehicleId === undefined || slot?.status !== 'reserved' ? undefined : { vehicleId, driverId: slot.driverId };
};

const toOffer = (state: ActiveDispatch, route: RouteSlot, at: IsoDateTime): Step => {
  const end = Date.parse(state.window.dispatchWindow.to);
  if (Date.parse(at) >= end)
    return {
      type: 'RouteDropped',
      data: {
        routeId: route.routeId,
        reason: 'window-closed',
        detail: `the dispatch window ended at ${state.window.dispatchWindow.to}`,
        at,
      },
    };
  const chosen = vehicleFor(state, route);
  if (chosen === undefined) {
    const detail =
      route.offers === 0
        ? 'no free vehicle can carry it'
        : `no free vehicle left after ${route.offers} offer${route.offers === 1 ? '' : 's'}`;
    return { type: 'RouteDropped', data: { routeId: route.routeId, reason: 'no-driver', detail, at } };
  }
  const expiresAt = isoDateTime(new Date(Math.min(Date.parse(at) + state.window.acceptanceSeconds * 1000, end)));
  return {
    type: 'RouteOffered',
    data: { routeId: route.routeId, vehicleId: chosen.vehicleId, driverId: chosen.driverId, attempt: route.offers + 1, expiresAt, at },
  };
};

const routeStep = (state: ActiveDispatch, route: RouteSlot, at: IsoDateTime): Step => {
  switch (route.status) {
    case 'holding':
      return settledParcels(route) ? toFill(state, route, at) : undefined;
    case 'ready':
      return toOffer(state, route, at);
    case 'confirming':
      return toConfirm(route, at);
    default:
      return undefined;
  }
};

// ---- releasing and completing ----

const toRelease = (state: ActiveDispatch, statuses: readonly VehicleSlot['status'][], at: IsoDateTime): Step => {
  const vehicleIds = state.window.vehicleIds.filter((vehicleId) => {
    const slot = state.vehicles[vehicleId];
    return slot !== undefined && statuses.includes(slot.status);
  });
  return vehicleIds.length === 0 ? undefined : { type: 'VehiclesReleasing', data: { vehicleIds, at } };
};

const toComplete = (state: ActiveDispatch, at: IsoDateTime): Step => {
  const routes = Object.values(state.routes);
  const done =
    routes.every((route) => terminalRoute(route) && settledParcels(route)) && Object.values(state.vehicles).every(settledVehicle);
  return done ? { type: 'DispatchCompleted', data: { ...outcomeOf(state), at } } : undefined;
};

const dispatching = (state: ActiveDispatch, at: IsoDateTime): Step => {
  for (const route of Object.values(state.routes)) {
    const step = routeStep(state, route, at);
    if (step !== undefined) return step;
  }
  const spent = toRelease(state, ['spent'], at);
  if (spent !== undefined) return spent;
  // Spares are kept while a route may still need a vehicle; once every route is settled, they go.
  if (Object.values(state.routes).every(terminalRoute)) return toRelease(state, ['reserved'], at) ?? toComplete(state, at);
  return undefined;
};

/** The next step due, or undefined when the saga waits for an input. */
export const nextStep = (state: ActiveDispatch, at: IsoDateTime): Step => {
  switch (state.phase) {
    case 'reserving':
      return afterReservations(state, at);
    case 'optimizing':
      return afterOptimizing(state, at);
    case 'dispatching':
      return dispatching(state, at);
    case 'abandoned':
      return toRelease(state, ['reserved', 'spent'], at) ?? toComplete(state, at);
    case 'completed':
      return undefined;
  }
};
