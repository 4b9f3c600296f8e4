// Stop bookkeeping for the board, with the same rules as the Route aggregate (domain/route/src/state.ts):
// only pending stops close, and a re-sequence keeps closed stops first and loses no stop.
import type { RouteBoardStop, RouteProgress } from './view.ts';

const isPending = (stop: RouteBoardStop) => stop.status === 'pending';

export const closeStop = (stops: readonly RouteBoardStop[], stopId: string, closed: Partial<RouteBoardStop>): RouteBoardStop[] =>
  stops.map((stop) => (stop.stopId === stopId && isPending(stop) ? { ...stop, ...closed } : stop));

/** Closed stops first in their order, then the named pending ones in the new order, then any not named. */
export const resequence = (stops: readonly RouteBoardStop[], stopIds: readonly string[]): RouteBoardStop[] => {
  const pending = new Map(stops.filter(isPending).map((stop) => [stop.stopId, stop]));
  const named = stopIds.flatMap((stopId) => {
    const stop = pending.get(stopId);
    pending.delete(stopId);
    return stop === undefined ? [] : [stop];
  });
  return [...stops.filter((stop) => !isPending(stop)), ...named, ...pending.values()];
};

/** The stops without a parcel that refused to join the route, as the Route aggregate drops it. */
export const dropParcel = (stops: readonly RouteBoardStop[], parcelId: string): RouteBoardStop[] =>
  stops.map((stop) => (stop.parcelIds.includes(parcelId) ? { ...stop, parcelIds: stop.parcelIds.filter((id) => id !== parcelId) } : stop));

export const progressOf = (stops: readonly RouteBoardStop[]): RouteProgress => {
  const count = (status: RouteBoardStop['status']) => stops.filter((stop) => stop.status === status).length;
  const [completed, skipped, pending] = [count('completed'), count('skipped'), count('pending')];
  const total = stops.length;
  return { total, completed, skipped, pending, percent: total === 0 ? 0 : Math.floor(((completed + skipped) * 100) / total) };
};

/** The stop's first arrival: a later entry (the van came back) keeps the first, an earlier one (late) replaces it. */
export const arrive = (stops: readonly RouteBoardStop[], stopId: string, at: string): RouteBoardStop[] =>
  stops.map((stop) => (stop.stopId === stopId && (stop.arrivedAt === null || at < stop.arrivedAt) ? { ...stop, arrivedAt: at } : stop));
