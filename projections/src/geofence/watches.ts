// From the targets read model to what the detector watches each vehicle for: its active route's pending
// stops and its depot (when a dispatch window named the depot's location). Pure.
import { depotFence, stopFence, type VehicleWatch } from '@meridian/geofence';
import type { GeofenceDepotDocument, GeofenceRouteDocument } from './targets.ts';

/** Each vehicle's watch, by vehicleId. A vehicle named by two active routes (a handover) keeps the latest. */
export const watchesOf = (
  routes: readonly GeofenceRouteDocument[],
  depots: readonly GeofenceDepotDocument[],
): ReadonlyMap<string, VehicleWatch> => {
  const depotAt = new Map(depots.map((depot) => [depot.depotId, depot.location]));
  const latest = new Map<string, GeofenceRouteDocument>();
  for (const route of routes) {
    if (route.status !== 'active' || route.vehicleId === null) continue;
    const known = latest.get(route.vehicleId);
    if (known === undefined || known.updatedAt < route.updatedAt) latest.set(route.vehicleId, route);
  }
  const watches = new Map<string, VehicleWatch>();
  for (const [vehicleId, route] of latest) {
    const depot = depotAt.get(route.depotId);
    watches.set(vehicleId, {
      routeId: route.routeId,
      fences: [
        ...(depot === undefined ? [] : [depotFence(route.depotId, depot)]),
        ...route.stops.map((stop) => stopFence(route.depotId, route.routeId, stop.stopId, stop)),
      ],
    });
  }
  return watches;
};
