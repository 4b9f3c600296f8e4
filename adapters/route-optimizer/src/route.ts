// One vehicle's route as the search holds it: immutable, with what makes a move's check O(1): for each
// position the departure time (forward) and the latest service start that keeps the rest of the route in
// its windows and the vehicle back by the end of its shift (backward). Position 0 is the depot at the start,
// positions 1..m the stops, m + 1 the depot at the end.
import type { Instance } from './instance.ts';

export type Route = {
  readonly vehicle: number;
  readonly nodes: readonly number[];
  readonly load: number;
  readonly distance: number;
  /** departs[k]: when the vehicle leaves position k (k = 0..m); departs[0] = 0. */
  readonly departs: Float64Array;
  /** latest[k]: the latest service start at position k (k = 1..m) that keeps the rest feasible; latest[m + 1] is the shift's end. */
  readonly latest: Float64Array;
  /** Back at the depot. */
  readonly returns: number;
  /** Every window and the shift respected (the load is checked apart, against `capacity`). */
  readonly punctual: boolean;
};

/** Slack for floating-point sums of travel and service times, in seconds. */
export const timeSlack = 1e-6;

export const travel = (instance: Instance, from: number, to: number) =>
  instance.distance[from * instance.size + to]! * instance.secondsPerUnit;
export const distanceBetween = (instance: Instance, from: number, to: number) => instance.distance[from * instance.size + to]!;

export const buildRoute = (instance: Instance, vehicle: number, nodes: readonly number[]): Route => {
  const m = nodes.length;
  const { opens, closes, service, demand } = instance;
  const departs = new Float64Array(m + 1);
  const latest = new Float64Array(m + 2);
  let load = 0;
  let distance = 0;
  let punctual = true;
  let previous = 0;
  let time = 0;
  for (let k = 1; k <= m; k++) {
    const node = nodes[k - 1]!;
    load += demand[node]!;
    distance += distanceBetween(instance, previous, node);
    const start = Math.max(time + travel(instance, previous, node), opens[node]!);
    if (start > closes[node]! + timeSlack) punctual = false;
    time = start + service[node]!;
    departs[k] = time;
    previous = node;
  }
  distance += distanceBetween(instance, previous, 0);
  const returns = time + travel(instance, previous, 0);
  const end = instance.shiftEnd[vehicle]!;
  if (returns > end + timeSlack) punctual = false;
  latest[m + 1] = end;
  let next = 0;
  for (let k = m; k >= 1; k--) {
    const node = nodes[k - 1]!;
    latest[k] = Math.min(closes[node]!, latest[k + 1]! - travel(instance, node, next) - service[node]!);
    next = node;
  }
  return { vehicle, nodes, load, distance, departs, latest, returns, punctual };
};

export const emptyRoute = (instance: Instance, vehicle: number): Route => buildRoute(instance, vehicle, []);

/** Within the vehicle's capacity and its stop limit. */
export const fitsCapacity = (instance: Instance, route: Route) =>
  route.load <= instance.capacity[route.vehicle]! + 1e-9 && route.nodes.length <= instance.maxStops[route.vehicle]!;

/** Whether one more stop, `node`, fits the route's vehicle (its load and its stop count). */
export const hasRoomFor = (instance: Instance, route: Route, node: number) =>
  route.load + instance.demand[node]! <= instance.capacity[route.vehicle]! + 1e-9 && route.nodes.length < instance.maxStops[route.vehicle]!;

export const isFeasible = (instance: Instance, route: Route) => route.punctual && fitsCapacity(instance, route);

/**
 * Whether `node` fits between positions `p` and `p + 1` in time (capacity apart): it is reached within its
 * window, and the stop after it (or the depot) is still reached by its latest start.
 */
export const fitsInTime = (instance: Instance, route: Route, node: number, p: number): boolean => {
  const previous = p === 0 ? 0 : route.nodes[p - 1]!;
  const next = p === route.nodes.length ? 0 : route.nodes[p]!;
  const start = Math.max(route.departs[p]! + travel(instance, previous, node), instance.opens[node]!);
  if (start > instance.closes[node]! + timeSlack) return false;
  return start + instance.service[node]! + travel(instance, node, next) <= route.latest[p + 1]! + timeSlack;
};

/** The extra distance of putting `node` between positions `p` and `p + 1`. */
export const insertionDelta = (instance: Instance, route: Route, node: number, p: number): number => {
  const previous = p === 0 ? 0 : route.nodes[p - 1]!;
  const next = p === route.nodes.length ? 0 : route.nodes[p]!;
  const { distance, size } = instance;
  return distance[previous * size + node]! + distance[node * size + next]! - distance[previous * size + next]!;
};

export const withInsertion = (instance: Instance, route: Route, node: number, p: number): Route =>
  buildRoute(instance, route.vehicle, [...route.nodes.slice(0, p), node, ...route.nodes.slice(p)]);

export const withoutNodes = (instance: Instance, route: Route, removed: ReadonlySet<number>): Route =>
  buildRoute(
    instance,
    route.vehicle,
    route.nodes.filter((node) => !removed.has(node)),
  );
