// The RouteBoard document: one per route, what dispatchers watch (where each route stands, stop by stop).
// Plain JSON types; fields that may not apply yet are null, never absent.
import type { RouteStatus, StopStatus } from '@meridian/route';

/** The route lifecycle's status names (a route is on the board once planned). */
export type RouteBoardStatus = Exclude<RouteStatus, 'Unplanned'>;

export const routeBoardStatuses: readonly RouteBoardStatus[] = ['Planned', 'Assigned', 'InProgress', 'Finished', 'Cancelled'];

export type RouteBoardStop = {
  readonly stopId: string;
  readonly location: { readonly lat: number; readonly lng: number };
  readonly parcelIds: readonly string[];
  readonly status: StopStatus;
  readonly completedAt: string | null;
  readonly skippedAt: string | null;
  readonly skipReason: string | null;
};

export type RouteProgress = {
  readonly total: number;
  readonly completed: number;
  readonly skipped: number;
  readonly pending: number;
  /** Stops closed (completed or skipped) as a whole percentage of all stops, rounded down: 100 means done. */
  readonly percent: number;
};

export type RouteBoardView = {
  readonly routeId: string;
  readonly depotId: string;
  readonly status: RouteBoardStatus;
  readonly dispatchWindow: { readonly from: string; readonly to: string };
  readonly vehicleId: string | null;
  readonly driverId: string | null;
  /** In the current visiting order: closed stops first, as they were closed, then pending ones in plan order. */
  readonly stops: readonly RouteBoardStop[];
  readonly progress: RouteProgress;
  readonly plannedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly cancelledAt: string | null;
  readonly cancellationReason: string | null;
  /** The latest business time of its facts (UTC), the list order. */
  readonly updatedAt: string;
  /** The last stream revision applied. */
  readonly revision: number;
};
