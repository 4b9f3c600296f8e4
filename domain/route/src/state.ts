// What the Route decider needs to remember, as a union of the lifecycle's states, and how facts move it.
import type { Identifier, IsoDateTime } from '@meridian/kernel';
import type { RouteEvent, RoutePlanned } from './events.ts';
import type { DispatchWindow, EtaPosition, PlannedStop, RouteId, StopStatus } from './values.ts';

export type RouteStop = PlannedStop & { readonly status: StopStatus };

/** Facts that hold in every state once the route is planned. `stops` is the current visiting order. */
export type RouteFacts = {
  readonly routeId: RouteId;
  readonly depotId: Identifier;
  readonly dispatchWindow: DispatchWindow;
  readonly stops: readonly RouteStop[];
  /** The van's last known position (docs/eta.md): from the last estimate, or the last stop it completed. */
  readonly lastSeen?: EtaPosition;
  /** The last estimate of the remaining stops' arrivals, and when it was computed. */
  readonly estimate?: { readonly computedAt: string; readonly stops: readonly { readonly stopId: Identifier; readonly eta: string }[] };
};

export type RouteCrew = { readonly vehicleId: Identifier; readonly driverId: Identifier };

type Facts = { readonly route: RouteFacts };

export type RouteState =
  | { readonly status: 'Unplanned' }
  | ({ readonly status: 'Planned' } & Facts)
  | ({ readonly status: 'Assigned' } & Facts & RouteCrew)
  | ({ readonly status: 'InProgress' } & Facts & RouteCrew)
  | ({ readonly status: 'Finished' } & Facts & RouteCrew)
  | ({ readonly status: 'Cancelled' } & Facts & Partial<RouteCrew>);

export type RouteStatus = RouteState['status'];

export const initialRouteState: RouteState = { status: 'Unplanned' };

export const isPending = (stop: RouteStop): boolean => stop.status === 'pending';

export const pendingStops = (stops: readonly RouteStop[]): readonly RouteStop[] => stops.filter(isPending);

/** Every parcel of these stops, in stop order. */
export const parcelsOf = (stops: readonly RouteStop[]): readonly Identifier[] => stops.flatMap((stop) => stop.parcelIds);

/** The vehicle and driver of a route, if it has them (a cancelled route may never have had them). */
export const crewOf = (state: Exclude<RouteState, { status: 'Unplanned' }>): Partial<RouteCrew> => {
  if (state.status === 'Planned') return {};
  const { vehicleId, driverId } = state;
  return vehicleId === undefined || driverId === undefined ? {} : { vehicleId, driverId };
};

const planned = ({ routeId, depotId, dispatchWindow, stops }: RoutePlanned): RouteState => ({
  status: 'Planned',
  route: { routeId, depotId, dispatchWindow, stops: stops.map((stop) => ({ ...stop, status: 'pending' })) },
});

const closeStop = (stops: readonly RouteStop[], stopId: Identifier, status: StopStatus): readonly RouteStop[] =>
  stops.map((stop) => (stop.stopId === stopId && isPending(stop) ? { ...stop, status } : stop));

/**
 * The order after a re-sequence: closed stops first, keeping their relative order (they are history, and the
 * route reads "visited, then to visit"), then the pending stops in the new order. Pending stops the fact does
 * not name (a fact that does not fit) keep their relative order at the end, so no stop is ever lost.
 */
export const resequenced = (stops: readonly RouteStop[], stopIds: readonly Identifier[]): readonly RouteStop[] => {
  const pending = new Map(pendingStops(stops).map((stop) => [stop.stopId, stop]));
  const named = stopIds.flatMap((stopId) => {
    const stop = pending.get(stopId);
    pending.delete(stopId);
    return stop === undefined ? [] : [stop];
  });
  return [...stops.filter((stop) => !isPending(stop)), ...named, ...pending.values()];
};

/** The later of two positions (the first when neither is later). */
export const laterPosition = (a: EtaPosition | undefined, b: EtaPosition | undefined): EtaPosition | undefined =>
  a === undefined || (b !== undefined && Date.parse(b.at) > Date.parse(a.at)) ? b : a;

/** A completed stop tells where the van was and when: at the stop, at its completion. */
const seenAtStop = (stops: readonly RouteStop[], stopId: Identifier, at: IsoDateTime): EtaPosition | undefined => {
  const stop = stops.find((candidate) => candidate.stopId === stopId);
  return stop === undefined ? undefined : { lat: stop.location.lat, lng: stop.location.lng, at, source: 'stop' };
};

type Open = Extract<RouteState, { status: 'Planned' | 'Assigned' | 'InProgress' }>;

const isOpen = (state: RouteState): state is Open =>
  state.status === 'Planned' || state.status === 'Assigned' || state.status === 'InProgress';

const withStops = <S extends Open>(state: S, change: (stops: readonly RouteStop[]) => readonly RouteStop[]): S => ({
  ...state,
  route: { ...state.route, stops: change(state.route.stops) },
});

/** The stops without a parcel that refused to join the route (its stop stays, with the parcels left). */
export const withoutParcel = (stops: readonly RouteStop[], parcelId: Identifier): readonly RouteStop[] =>
  stops.map((stop) => (stop.parcelIds.includes(parcelId) ? { ...stop, parcelIds: stop.parcelIds.filter((id) => id !== parcelId) } : stop));

/** Folds one fact. Facts that do not fit the state leave it unchanged: evolve never throws. */
export const evolveRoute = (state: RouteState, event: RouteEvent): RouteState => {
  if (event.type === 'RoutePlanned') return state.status === 'Unplanned' ? planned(event.data) : state;
  if (state.status === 'Unplanned') return state;
  // A refusal is recorded whatever became of the route since (a route cancelled a moment after its plan).
  if (event.type === 'RouteParcelRefused')
    return { ...state, route: { ...state.route, stops: withoutParcel(state.route.stops, event.data.parcelId) } };
  if (!isOpen(state)) return state;
  switch (event.type) {
    case 'RouteVehicleAssigned':
      if (state.status === 'InProgress') return state;
      return { status: 'Assigned', route: state.route, vehicleId: event.data.vehicleId, driverId: event.data.driverId };
    case 'RouteStarted':
      return state.status === 'Assigned' ? { ...state, status: 'InProgress' } : state;
    case 'RouteStopCompleted': {
      if (state.status !== 'InProgress') return state;
      const lastSeen = laterPosition(state.route.lastSeen, seenAtStop(state.route.stops, event.data.stopId, event.data.completedAt));
      const closed = withStops(state, (stops) => closeStop(stops, event.data.stopId, 'completed'));
      return lastSeen === undefined ? closed : { ...closed, route: { ...closed.route, lastSeen } };
    }
    case 'RouteEtaUpdated': {
      const { computedAt, stops, position } = event.data;
      const estimate = { computedAt, stops: stops.map(({ stopId, eta }) => ({ stopId, eta })) };
      return { ...state, route: { ...state.route, estimate, lastSeen: laterPosition(state.route.lastSeen, position) ?? position } };
    }
    case 'RouteStopSkipped':
      return state.status === 'InProgress' ? withStops(state, (stops) => closeStop(stops, event.data.stopId, 'skipped')) : state;
    case 'RouteStopsResequenced':
      return withStops(state, (stops) => resequenced(stops, event.data.stopIds));
    case 'RouteFinished':
      return state.status === 'InProgress' ? { ...state, status: 'Finished' } : state;
    case 'RouteCancelled':
      return { status: 'Cancelled', route: state.route, ...crewOf(state) };
  }
};
