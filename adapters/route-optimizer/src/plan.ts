// A solution as the port's plan: each used vehicle's route with its times as instants, every stop on no
// route with the reason, the total distance.
import {
  distanceUnitOf,
  type PlannedRoute,
  type RoutePlan,
  type RoutingProblem,
  type SearchReport,
  type UnassignedStop,
} from '@meridian/kernel';
import type { Instance } from './instance.ts';
import { travel, type Route } from './route.ts';
import { servableAlone } from './savings.ts';
import type { Solution } from './solution.ts';

const instant = (instance: Instance, seconds: number) => new Date(Math.round(instance.startMs + seconds * 1000)).toISOString();

/** The route's times, leaving the depot as late as keeps the first stop's start (no wait at the first door). */
const plannedRoute = (problem: RoutingProblem, instance: Instance, route: Route): PlannedRoute => {
  const first = route.nodes[0]!;
  const departs = Math.max(0, instance.opens[first]! - travel(instance, 0, first));
  let time = departs;
  let previous = 0;
  const stops = route.nodes.map((node) => {
    const arrives = time + travel(instance, previous, node);
    const starts = Math.max(arrives, instance.opens[node]!);
    time = starts + instance.service[node]!;
    previous = node;
    return {
      stopId: problem.stops[node - 1]!.stopId,
      arrivesAt: instant(instance, arrives),
      startsAt: instant(instance, starts),
      departsAt: instant(instance, time),
    };
  });
  return {
    vehicleId: problem.vehicles[route.vehicle]!.vehicleId,
    departsAt: instant(instance, departs),
    stops,
    returnsAt: instant(instance, time + travel(instance, previous, 0)),
    distance: route.distance,
    loadKg: route.load,
  };
};

const unassignedStop = (problem: RoutingProblem, instance: Instance, node: number, outOfTime: ReadonlySet<number>): UnassignedStop => {
  const stopId = problem.stops[node - 1]!.stopId;
  const largest = Math.max(...instance.capacity);
  if (instance.demand[node]! > largest)
    return {
      stopId,
      reason: 'exceeds-capacity',
      detail: `it weighs ${instance.demand[node]} kg; the largest vehicle carries ${largest} kg`,
    };
  if (!servableAlone(instance, node))
    return {
      stopId,
      reason: 'unreachable-in-window',
      detail: 'no vehicle can reach it within its window and be back by the end of its shift, even on a route of its own',
    };
  if (outOfTime.has(node)) return { stopId, reason: 'out-of-time', detail: 'the time limit ran out before it was placed' };
  return { stopId, reason: 'no-room', detail: 'no route had room for it (capacity or time) beside the stops it kept' };
};

export const planOf = (
  problem: RoutingProblem,
  instance: Instance,
  solution: Solution,
  search: SearchReport,
  outOfTime: ReadonlySet<number> = new Set(),
): RoutePlan => {
  const routes = solution.routes.filter((route) => route.nodes.length > 0).map((route) => plannedRoute(problem, instance, route));
  return {
    routes,
    unassigned: solution.unassigned.map((node) => unassignedStop(problem, instance, node, outOfTime)),
    distance: routes.reduce((sum, route) => sum + route.distance, 0),
    distanceUnit: distanceUnitOf(problem),
    search,
  };
};
