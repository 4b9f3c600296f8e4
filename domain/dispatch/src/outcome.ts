// What a window came to: the routes confirmed, and every parcel not dispatched with why (left out by the
// optimizer, refused by the parcel, its route dropped, or the whole window given up).
import type { DispatchCompleted, DispatchedRoute, NotDispatchedParcel } from './events.ts';
import type { ActiveDispatch } from './state.ts';

const leftOutDetail: Readonly<Record<string, string>> = {
  'exceeds-capacity': 'heavier than any vehicle of the window can carry',
  'unreachable-in-window': 'no vehicle can reach it before its SLA deadline',
  'no-room': 'no route had room for it',
  'out-of-time': 'the optimizer ran out of time before placing it',
  'route-too-long': 'its route had more stops than a route may hold',
};

const dispatchedRoutes = (state: ActiveDispatch): DispatchedRoute[] =>
  Object.values(state.routes).flatMap((route) => {
    if (route.status !== 'confirmed' || route.offer === undefined || route.loadKg === undefined) return [];
    const parcelIds = route.parcelIds.filter((parcelId) => route.parcels[parcelId]?.status === 'held');
    return [{ routeId: route.routeId, vehicleId: route.offer.vehicleId, driverId: route.offer.driverId, parcelIds, loadKg: route.loadKg }];
  });

const notDispatched = (state: ActiveDispatch): NotDispatchedParcel[] => {
  if (state.abandoned !== undefined) {
    const { reason, detail } = state.abandoned;
    return state.window.parcels.map((parcel) => ({ parcelId: parcel.parcelId, reason, detail }));
  }
  const leftOut = state.leftOut.map(({ parcelId, reason }) => ({
    parcelId,
    reason,
    detail: `left out by the optimizer: ${leftOutDetail[reason] ?? reason}`,
  }));
  const fromRoutes = Object.values(state.routes).flatMap((route) =>
    route.parcelIds.flatMap((parcelId): NotDispatchedParcel[] => {
      const slot = route.parcels[parcelId];
      if (slot?.status === 'refused') return [{ parcelId, reason: 'parcel-refused', detail: `${slot.reason}: ${slot.detail}` }];
      if (slot?.status === 'returned' || slot?.status === 'releasing' || slot?.status === 'unassigned')
        return [{ parcelId, reason: slot.reason, detail: slot.detail }];
      return [];
    }),
  );
  return [...leftOut, ...fromRoutes];
};

export const outcomeOf = (state: ActiveDispatch): Omit<DispatchCompleted, 'at'> => {
  const routes = dispatchedRoutes(state);
  const parcels = notDispatched(state);
  const status = routes.length === 0 ? 'not-dispatched' : parcels.length === 0 ? 'dispatched' : 'partly-dispatched';
  return { status, routes, notDispatched: parcels };
};
