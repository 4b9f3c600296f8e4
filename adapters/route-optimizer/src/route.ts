// One vehicle's route as the search holds it: immutable, with what makes a move's check O(1): for each
// position the departure time (forward) and the latest service start that keeps the rest of the route in
// its windows and the vehicle back by the end of its shift (backward). Position 0 is the depot at the start,
// positions 1..m the stops, m + 1 the depot at the end. Its legs' lengths are kept too: a route changed by
// one insertion reuses them, and reading the large distance matrix at random is what a search waits on most.
import type { Instance } from './instance.ts';

export type Route = {
  readonly vehicle: number;
  readonly nodes: readonly number[];
  /** legs[k]: the distance from position k to k + 1 (k = 0..m). */
  readonly legs: Float64Array;
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

/** The legs of a sequence of stops, depot to depot, from the matrix. */
const legsOf = (instance: Instance, nodes: readonly number[]): Float64Array => {
  const legs = new Float64Array(nodes.length + 1);
  let previous = 0;
  nodes.forEach((node, k) => {
    legs[k] = distanceBetween(instance, previous, node);
    previous = node;
  });
  legs[nodes.length] = distanceBetween(instance, previous, 0);
  return legs;
};

/** A route from its stops (and their legs, when the caller has them). */
export const buildRoute = (instance: Instance, vehicle: number, nodes: readonly number[], legs = legsOf(instance, nodes)): Route => {
  const m = nodes.length;
  const { opens, closes, service, demand, secondsPerUnit } = instance;
  const departs = new Float64Array(m + 1);
  const latest = new Float64Array(m + 2);
  let load = 0;
  let distance = 0;
  let punctual = true;
  let time = 0;
  for (let k = 1; k <= m; k++) {
    const node = nodes[k - 1]!;
    load += demand[node]!;
    distance += legs[k - 1]!;
    const start = Math.max(time + legs[k - 1]! * secondsPerUnit, opens[node]!);
    if (start > closes[node]! + timeSlack) punctual = false;
    time = start + service[node]!;
    departs[k] = time;
  }
  distance += legs[m]!;
  const returns = time + legs[m]! * secondsPerUnit;
  const end = instance.shiftEnd[vehicle]!;
  if (returns > end + timeSlack) punctual = false;
  latest[m + 1] = end;
  for (let k = m; k >= 1; k--) {
    const node = nodes[k - 1]!;
    latest[k] = Math.min(closes[node]!, latest[k + 1]! - legs[k]! * secondsPerUnit - service[node]!);
  }
  return { vehicle, nodes, legs, load, distance, departs, latest, returns, punctual };
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

export const withInsertion = (instance: Instance, route: Route, node: number, p: number): Route => {
  const m = route.nodes.length;
  const nodes = route.nodes.slice();
  nodes.splice(p, 0, node);
  const legs = new Float64Array(m + 2);
  legs.set(route.legs.subarray(0, p), 0);
  legs[p] = distanceBetween(instance, p === 0 ? 0 : route.nodes[p - 1]!, node);
  legs[p + 1] = distanceBetween(instance, node, p === m ? 0 : route.nodes[p]!);
  legs.set(route.legs.subarray(p + 1), p + 2);
  return buildRoute(instance, route.vehicle, nodes, legs);
};

/** The route without some of its stops: a leg between two stops that stay neighbours is kept, not looked up. */
export const withoutNodes = (instance: Instance, route: Route, removed: ReadonlySet<number>): Route => {
  const nodes: number[] = [];
  const legs: number[] = [];
  let previous = 0;
  let adjacent = true;
  for (const [k, node] of route.nodes.entries()) {
    if (removed.has(node)) {
      adjacent = false;
      continue;
    }
    legs.push(adjacent ? route.legs[k]! : distanceBetween(instance, previous, node));
    nodes.push(node);
    previous = node;
    adjacent = true;
  }
  legs.push(adjacent ? route.legs[route.nodes.length]! : distanceBetween(instance, previous, 0));
  return buildRoute(instance, route.vehicle, nodes, Float64Array.from(legs));
};
