// What the dispatch saga remembers of a window, folded from its own events only: each vehicle, the
// optimization, each planned route with its parcels and its offer. Parcels are kept under their route
// (every fact about a parcel names its route), so a step changes one small record, not the whole window.
import type { Identifier, IsoDateTime, Kilograms } from '@meridian/kernel';
import type { ParcelId } from '@meridian/parcel';
import type { RouteId } from '@meridian/route';
import type { VehicleId } from '@meridian/vehicle';
import type {
  AssignmentSide,
  DispatchCompleted,
  DispatchEvent,
  DispatchStarted,
  DropReason,
  LeftOutParcel,
  RoutesOptimized,
} from './events.ts';

export type VehicleSlot =
  /** Its reservation is asked for. */
  | { readonly status: 'requested' }
  /** It refused the reservation (off duty, elsewhere): never held. */
  | { readonly status: 'unavailable'; readonly reason: string; readonly detail: string }
  /** Held and free: planned for a route not offered yet, or a spare. */
  | { readonly status: 'reserved'; readonly driverId: Identifier; readonly capacityKg: Kilograms }
  /** Offered a route (pending, accepted, being confirmed). */
  | { readonly status: 'offered'; readonly driverId: Identifier; readonly capacityKg: Kilograms; readonly routeId: RouteId }
  /** No longer needed (its driver declined, did not answer, or its route was dropped): to release. */
  | { readonly status: 'spent'; readonly onRoute?: RouteId }
  | { readonly status: 'releasing'; readonly onRoute?: RouteId }
  | { readonly status: 'released' }
  /** On its confirmed route: the reservation ended in the assignment. */
  | { readonly status: 'dispatched'; readonly routeId: RouteId };

export type ParcelSlot =
  /** On the route's plan; its assignment is asked for once the plan is recorded. */
  | { readonly status: 'planned' }
  /** Its assignment to the route is asked for. */
  | { readonly status: 'holding' }
  | { readonly status: 'held' }
  | { readonly status: 'refused'; readonly reason: string; readonly detail: string }
  /** Its route was dropped: its release from the route is asked for. */
  | { readonly status: 'releasing'; readonly reason: DropReason; readonly detail: string }
  | { readonly status: 'returned'; readonly reason: DropReason; readonly detail: string }
  /** Its route was dropped before it was asked to join it: it never left the pool. */
  | { readonly status: 'unassigned'; readonly reason: DropReason; readonly detail: string };

export type Offer = {
  readonly vehicleId: VehicleId;
  readonly driverId: Identifier;
  readonly attempt: number;
  readonly expiresAt: IsoDateTime;
};

export type RouteStatus =
  /** Its plan is sent; waiting for it to be recorded. */
  | 'submitted'
  /** Planned: its parcels' assignments are asked for. */
  | 'holding'
  /** Holding its parcels, waiting for an offer (the first, or the next after a decline or a timeout). */
  | 'ready'
  | 'offered'
  /** Its offer timed out: withdrawing it (the driver may still have been first). */
  | 'withdrawing'
  /** Accepted: the vehicle and the route are being assigned to each other. */
  | 'confirming'
  | 'confirmed'
  | 'dropped';

export type SideStatus = 'pending' | 'recorded' | 'refused';

export type RouteSlot = {
  readonly routeId: RouteId;
  readonly plannedVehicleId: VehicleId;
  /** Every parcel the plan put on it, in visiting order. */
  readonly parcelIds: readonly ParcelId[];
  readonly parcels: Readonly<Record<string, ParcelSlot>>;
  readonly distanceMetres: number;
  readonly status: RouteStatus;
  /** The weight of the parcels it holds, once they all answered. */
  readonly loadKg?: Kilograms;
  /** Cancelled by someone else while its parcels were answering. */
  readonly cancelled?: string;
  readonly offer?: Offer;
  /** Offers made so far. */
  readonly offers: number;
  /** Vehicles it was offered to and that did not take it. */
  readonly tried: readonly VehicleId[];
  /** Each side of the confirmation, and the first refusal of one. */
  readonly sides: Readonly<Record<AssignmentSide, SideStatus>>;
  readonly failure?: { readonly side: AssignmentSide; readonly reason: string; readonly detail: string };
  readonly drop?: { readonly reason: DropReason; readonly detail: string };
};

export type Optimization = {
  readonly attempt: number;
  readonly status: 'running' | 'failed' | 'planned';
  readonly vehicleIds: readonly VehicleId[];
  readonly startAt: IsoDateTime;
  readonly error?: string;
  readonly retryAt?: IsoDateTime;
};

export type DispatchPhase = 'reserving' | 'optimizing' | 'dispatching' | 'abandoned' | 'completed';

export type WindowFacts = Omit<DispatchStarted, 'at'>;

export type ActiveDispatch = {
  readonly phase: DispatchPhase;
  readonly window: WindowFacts;
  readonly startedAt: IsoDateTime;
  readonly vehicles: Readonly<Record<string, VehicleSlot>>;
  readonly optimization?: Optimization;
  readonly routes: Readonly<Record<string, RouteSlot>>;
  readonly leftOut: readonly LeftOutParcel[];
  readonly abandoned?: { readonly reason: string; readonly detail: string };
  readonly outcome?: DispatchCompleted;
};

export type DispatchState = { readonly phase: 'idle' } | ActiveDispatch;

export const initialDispatchState: DispatchState = { phase: 'idle' };

const withVehicle = (state: ActiveDispatch, vehicleId: string, slot: VehicleSlot): ActiveDispatch => ({
  ...state,
  vehicles: { ...state.vehicles, [vehicleId]: slot },
});

const withRoute = (state: ActiveDispatch, routeId: string, change: (route: RouteSlot) => RouteSlot): ActiveDispatch => {
  const route = state.routes[routeId];
  return route === undefined ? state : { ...state, routes: { ...state.routes, [routeId]: change(route) } };
};

const withParcel = (route: RouteSlot, parcelId: string, slot: ParcelSlot): RouteSlot => ({
  ...route,
  parcels: { ...route.parcels, [parcelId]: slot },
});

const started = (data: DispatchStarted): ActiveDispatch => {
  const { at, ...window } = data;
  return {
    phase: 'reserving',
    window,
    startedAt: at,
    vehicles: Object.fromEntries(data.vehicleIds.map((vehicleId) => [vehicleId, { status: 'requested' }])),
    routes: {},
    leftOut: [],
  };
};

const optimized = (state: ActiveDispatch, data: RoutesOptimized): ActiveDispatch => ({
  ...state,
  phase: 'dispatching',
  optimization: state.optimization === undefined ? undefined : { ...state.optimization, status: 'planned' },
  leftOut: data.leftOut,
  routes: Object.fromEntries(
    data.routes.map((route): [string, RouteSlot] => [
      route.routeId,
      {
        routeId: route.routeId,
        plannedVehicleId: route.vehicleId,
        parcelIds: route.parcelIds,
        parcels: Object.fromEntries(route.parcelIds.map((parcelId) => [parcelId, { status: 'planned' }])),
        distanceMetres: route.distanceMetres,
        status: 'submitted',
        offers: 0,
        tried: [],
        sides: { vehicle: 'pending', route: 'pending' },
      },
    ]),
  ),
});

/** The end of an offer that was not taken: the route looks for another vehicle, this one is spent. */
const offerEnded = (state: ActiveDispatch, routeId: string, vehicleId: VehicleId): ActiveDispatch =>
  withVehicle(
    withRoute(state, routeId, ({ offer: _ended, ...route }) => ({ ...route, status: 'ready', tried: [...route.tried, vehicleId] })),
    vehicleId,
    { status: 'spent' },
  );

/** What a dropped route does with a parcel: one it holds is released, one never asked stays in the pool. */
const letGo = (slot: ParcelSlot, reason: DropReason, detail: string): ParcelSlot => {
  if (slot.status === 'held') return { status: 'releasing', reason, detail };
  return slot.status === 'planned' ? { status: 'unassigned', reason, detail } : slot;
};

/** A dropped route lets its parcels go, and its vehicle if it had one (still on the route if assigned to it). */
const dropped = (state: ActiveDispatch, routeId: string, reason: DropReason, detail: string): ActiveDispatch => {
  const route = state.routes[routeId];
  if (route === undefined) return state;
  const parcels = Object.fromEntries(
    Object.entries(route.parcels).map(([parcelId, slot]): [string, ParcelSlot] => [parcelId, letGo(slot, reason, detail)]),
  );
  const { offer, ...rest } = route;
  const next = withRoute(state, routeId, () => ({ ...rest, status: 'dropped', parcels, drop: { reason, detail } }));
  return offer === undefined
    ? next
    : withVehicle(
        next,
        offer.vehicleId,
        route.sides.vehicle === 'recorded' ? { status: 'spent', onRoute: route.routeId } : { status: 'spent' },
      );
};

const returned = (route: RouteSlot, parcelId: string): RouteSlot => {
  const slot = route.parcels[parcelId];
  return slot?.status === 'releasing' ? withParcel(route, parcelId, { ...slot, status: 'returned' }) : route;
};

const releasing = (state: ActiveDispatch, vehicleIds: readonly string[]): ActiveDispatch =>
  vehicleIds.reduce((next, vehicleId) => {
    const slot = next.vehicles[vehicleId];
    const onRoute = slot?.status === 'spent' ? slot.onRoute : undefined;
    return withVehicle(next, vehicleId, onRoute === undefined ? { status: 'releasing' } : { status: 'releasing', onRoute });
  }, state);

/** Folds one of the saga's own events. */
const evolveActive = (state: ActiveDispatch, event: DispatchEvent): ActiveDispatch => {
  switch (event.type) {
    case 'DispatchStarted':
      return state;
    case 'VehicleSecured':
      return withVehicle(state, event.data.vehicleId, {
        status: 'reserved',
        driverId: event.data.driverId,
        capacityKg: event.data.capacityKg,
      });
    case 'VehicleUnavailable':
      return withVehicle(state, event.data.vehicleId, { status: 'unavailable', reason: event.data.reason, detail: event.data.detail });
    case 'OptimizationRequested': {
      const { attempt, vehicleIds, startAt } = event.data;
      return { ...state, phase: 'optimizing', optimization: { attempt, status: 'running', vehicleIds, startAt } };
    }
    case 'OptimizationFailed': {
      const { error, retryAt } = event.data;
      return state.optimization === undefined
        ? state
        : { ...state, optimization: { ...state.optimization, status: 'failed', error, ...(retryAt !== undefined && { retryAt }) } };
    }
    case 'RoutesOptimized':
      return optimized(state, event.data);
    case 'ParcelHeld':
      return withRoute(state, event.data.routeId, (route) => withParcel(route, event.data.parcelId, { status: 'held' }));
    case 'ParcelRefused': {
      const { reason, detail } = event.data;
      return withRoute(state, event.data.routeId, (route) => withParcel(route, event.data.parcelId, { status: 'refused', reason, detail }));
    }
    case 'ParcelReturned':
      return withRoute(state, event.data.routeId, (route) => returned(route, event.data.parcelId));
    case 'RouteCreated':
      return withRoute(state, event.data.routeId, (route) => ({
        ...route,
        status: 'holding',
        parcels: Object.fromEntries(Object.keys(route.parcels).map((parcelId) => [parcelId, { status: 'holding' }])),
      }));
    case 'RouteFilled':
      return withRoute(state, event.data.routeId, (route) => ({ ...route, status: 'ready', loadKg: event.data.loadKg }));
    case 'RouteCancelledMeanwhile':
      return withRoute(state, event.data.routeId, (route) => ({ ...route, cancelled: event.data.detail }));
    case 'RouteOffered': {
      const { routeId, vehicleId, driverId, attempt, expiresAt } = event.data;
      const slot = state.vehicles[vehicleId];
      const capacityKg = slot?.status === 'reserved' ? slot.capacityKg : undefined;
      const next = withRoute(state, routeId, (route) => ({
        ...route,
        status: 'offered',
        offer: { vehicleId, driverId, attempt, expiresAt },
        offers: route.offers + 1,
      }));
      return capacityKg === undefined ? next : withVehicle(next, vehicleId, { status: 'offered', driverId, capacityKg, routeId });
    }
    case 'RouteOfferTimedOut':
      return withRoute(state, event.data.routeId, (route) => ({ ...route, status: 'withdrawing' }));
    case 'RouteOfferDeclined':
    case 'RouteOfferWithdrawn':
    case 'RouteOfferFailed':
      return offerEnded(state, event.data.routeId, event.data.vehicleId);
    case 'RouteAccepted':
      return withRoute(state, event.data.routeId, (route) => ({ ...route, status: 'confirming' }));
    case 'RouteAssignmentRecorded':
      return withRoute(state, event.data.routeId, (route) => ({ ...route, sides: { ...route.sides, [event.data.side]: 'recorded' } }));
    case 'RouteAssignmentFailed': {
      const { side, reason, detail } = event.data;
      return withRoute(state, event.data.routeId, (route) => ({
        ...route,
        sides: { ...route.sides, [side]: 'refused' },
        failure: route.failure ?? { side, reason, detail },
      }));
    }
    case 'RouteConfirmed':
      return withVehicle(
        withRoute(state, event.data.routeId, (route) => ({ ...route, status: 'confirmed' })),
        event.data.vehicleId,
        { status: 'dispatched', routeId: event.data.routeId },
      );
    case 'RouteDropped':
      return dropped(state, event.data.routeId, event.data.reason, event.data.detail);
    case 'VehiclesReleasing':
      return releasing(state, event.data.vehicleIds);
    case 'VehicleReleased':
      return withVehicle(state, event.data.vehicleId, { status: 'released' });
    case 'DispatchAbandoned':
      return { ...state, phase: 'abandoned', abandoned: { reason: event.data.reason, detail: event.data.detail } };
    case 'DispatchCompleted':
      return { ...state, phase: 'completed', outcome: event.data };
  }
};

/** Folds one event. The first must be DispatchStarted; events that do not fit leave the state as it is. */
export const evolveDispatch = (state: DispatchState, event: DispatchEvent): DispatchState => {
  if (state.phase === 'idle') return event.type === 'DispatchStarted' ? started(event.data) : state;
  return evolveActive(state, event);
};
