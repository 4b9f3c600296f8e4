// A solution as the search changes it: one route per vehicle (empty when unused), where each stop is, and
// the stops on no route. Routes are immutable, so keeping the best solution or undoing a rejected move is
// a copy of the routes array.
import type { Instance } from './instance.ts';
import { emptyRoute, type Route } from './route.ts';

export type Solution = {
  /** routes[v] is vehicle v's route. */
  readonly routes: readonly Route[];
  /** Stops on no route, in increasing order. */
  readonly unassigned: readonly number[];
};

export const solutionDistance = (solution: Solution): number => solution.routes.reduce((sum, route) => sum + route.distance, 0);

/** The working copy the search changes in place. */
export type Working = {
  readonly instance: Instance;
  readonly routes: Route[];
  /** The vehicle of each stop's route, -1 when unassigned. */
  readonly routeOf: Int32Array;
  /** Each stop's position on its route (1-based, as in Route). */
  readonly positionOf: Int32Array;
  distance: number;
  unassignedCount: number;
};

export const place = (working: Working, route: Route): void => {
  const previous = working.routes[route.vehicle]!;
  working.distance += route.distance - previous.distance;
  for (const node of previous.nodes)
    if (working.routeOf[node] === route.vehicle) {
      working.routeOf[node] = -1;
      working.unassignedCount++;
    }
  working.routes[route.vehicle] = route;
  route.nodes.forEach((node, index) => {
    if (working.routeOf[node] === -1) working.unassignedCount--;
    working.routeOf[node] = route.vehicle;
    working.positionOf[node] = index + 1;
  });
};

export const workingFrom = (instance: Instance, solution: Solution): Working => {
  const working: Working = {
    instance,
    routes: Array.from({ length: instance.vehicles }, (_, v) => emptyRoute(instance, v)),
    routeOf: new Int32Array(instance.size).fill(-1),
    positionOf: new Int32Array(instance.size),
    distance: 0,
    unassignedCount: instance.size - 1,
  };
  for (const route of solution.routes) place(working, route);
  return working;
};

export const unassignedOf = (working: Working): number[] => {
  const nodes: number[] = [];
  for (let node = 1; node < working.instance.size; node++) if (working.routeOf[node] === -1) nodes.push(node);
  return nodes;
};

export const solutionOf = (working: Working): Solution => ({ routes: [...working.routes], unassigned: unassignedOf(working) });

/** Fewer stops left out first, then less distance. */
export const isBetter = (a: { unassignedCount: number; distance: number }, b: { unassignedCount: number; distance: number }) =>
  a.unassignedCount < b.unassignedCount || (a.unassignedCount === b.unassignedCount && a.distance < b.distance - 1e-9);
