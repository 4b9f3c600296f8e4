// What a vehicle is watched for: the fences of its active route (its depot's and each pending stop's) and
// the route itself (idle counts only on a route). Where they come from is the caller's (docs/telemetry-rules.md).
import type { Point } from './geometry.ts';

export type FenceKind = 'depot' | 'stop';

export type Fence = Point & {
  /** Stable across restarts and deliveries: `depot:<depotId>`, `stop:<routeId>:<stopId>`. */
  readonly fenceId: string;
  readonly kind: FenceKind;
  readonly depotId: string;
  /** A stop's fence only. */
  readonly routeId?: string;
  readonly stopId?: string;
};

export type VehicleWatch = {
  /** The route the vehicle drives now; idle is detected only on one. */
  readonly routeId: string | undefined;
  readonly fences: readonly Fence[];
};

/** A vehicle that drives no route: no fences, no idle. */
export const unwatched: VehicleWatch = { routeId: undefined, fences: [] };

export const depotFenceId = (depotId: string): string => `depot:${depotId}`;
export const stopFenceId = (routeId: string, stopId: string): string => `stop:${routeId}:${stopId}`;

export const depotFence = (depotId: string, at: Point): Fence => ({
  fenceId: depotFenceId(depotId),
  kind: 'depot',
  depotId,
  lat: at.lat,
  lng: at.lng,
});

export const stopFence = (depotId: string, routeId: string, stopId: string, at: Point): Fence => ({
  fenceId: stopFenceId(routeId, stopId),
  kind: 'stop',
  depotId,
  routeId,
  stopId,
  lat: at.lat,
  lng: at.lng,
});
