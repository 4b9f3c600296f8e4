// The Clarke-Wright savings construction (parallel version): every stop starts on a route of its own; the
// pairs of stops are taken by how much joining them saves (d(0,i) + d(0,j) - d(i,j)), and two routes are
// joined at those ends when the result fits the largest vehicle and keeps every window. The routes are then
// given to vehicles (largest load first, each to the smallest vehicle that takes it), and stops of routes no
// vehicle could take go to the cheapest place left for them, or stay unassigned.
import type { Budget } from './budget.ts';
import type { Instance } from './instance.ts';
import { buildRoute, emptyRoute, fitsInTime, hasRoomFor, insertionDelta, isFeasible, withInsertion, type Route } from './route.ts';
import type { Solution } from './solution.ts';

type Chain = { nodes: number[]; load: number };

/** Whether a stop can be served at all: alone on a route, by some vehicle. */
export const servableAlone = (instance: Instance, node: number): boolean =>
  instance.classVehicles.some((v) => isFeasible(instance, buildRoute(instance, v, [node])));

/** The most room, the most stops and the latest shift end of any vehicle, as one imaginary vehicle for joining routes. */
const lenientLimits = (instance: Instance) => {
  let capacity = 0;
  let stops = 0;
  let vehicle = 0;
  for (let v = 0; v < instance.vehicles; v++) {
    capacity = Math.max(capacity, instance.capacity[v]!);
    stops = Math.max(stops, instance.maxStops[v]!);
    if (instance.shiftEnd[v]! > instance.shiftEnd[vehicle]!) vehicle = v;
  }
  return { capacity, stops, vehicle };
};

const savingsList = (instance: Instance): Int32Array => {
  const { size, distance, neighbours } = instance;
  const pairs: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < size; i++)
    for (const j of neighbours[i]!)
      if (i < j || !neighbours[j]!.includes(i)) {
        pairs.push(i, j);
        values.push(distance[i]! + distance[j]! - distance[i * size + j]!);
      }
  const order = Int32Array.from(values.keys()).sort((a, b) => values[b]! - values[a]! || a - b);
  const sorted = new Int32Array(order.length * 2);
  order.forEach((pair, k) => {
    sorted[2 * k] = pairs[2 * pair]!;
    sorted[2 * k + 1] = pairs[2 * pair + 1]!;
  });
  return sorted;
};

/** The ways to join a and b so that i (an end of a) meets j (an end of b), without reversing when not needed. */
const joins = (a: readonly number[], b: readonly number[], i: number, j: number): number[][] => {
  const options: number[][] = [];
  const iTail = a[a.length - 1] === i;
  const iHead = a[0] === i;
  const jHead = b[0] === j;
  const jTail = b[b.length - 1] === j;
  if (iTail && jHead) options.push([...a, ...b]);
  if (iHead && jTail) options.push([...b, ...a]);
  if (iTail && jTail) options.push([...a, ...b.toReversed()]);
  if (iHead && jHead) options.push([...a.toReversed(), ...b]);
  return options;
};

const buildChains = (instance: Instance, servable: readonly number[], budget: Budget): Chain[] => {
  const { capacity, stops, vehicle } = lenientLimits(instance);
  const chainOf = new Int32Array(instance.size).fill(-1);
  const chains: Chain[] = servable.map((node, index) => {
    chainOf[node] = index;
    return { nodes: [node], load: instance.demand[node]! };
  });
  const list = savingsList(instance);
  for (let k = 0; k < list.length; k += 2) {
    if ((k & 1023) === 0 && budget.outOfTime()) break;
    const i = list[k]!;
    const j = list[k + 1]!;
    const a = chainOf[i]!;
    const b = chainOf[j]!;
    if (a < 0 || b < 0 || a === b) continue;
    const load = chains[a]!.load + chains[b]!.load;
    if (load > capacity + 1e-9 || chains[a]!.nodes.length + chains[b]!.nodes.length > stops) continue;
    const joined = joins(chains[a]!.nodes, chains[b]!.nodes, i, j).find((nodes) => {
      budget.spend(nodes.length);
      return buildRoute(instance, vehicle, nodes).punctual;
    });
    if (joined === undefined) continue;
    chains[a] = { nodes: joined, load };
    chains[b] = { nodes: [], load: 0 };
    for (const node of joined) chainOf[node] = a;
  }
  return chains.filter((chain) => chain.nodes.length > 0);
};

/** Routes to vehicles: the heaviest first, each to the smallest vehicle that carries it in time. */
const assignVehicles = (instance: Instance, chains: readonly Chain[], budget: Budget) => {
  const routes: Route[] = Array.from({ length: instance.vehicles }, (_, v) => emptyRoute(instance, v));
  const leftOver: number[] = [];
  const outOfTime: number[] = [];
  const byVehicleSize = Array.from({ length: instance.vehicles }, (_, v) => v).sort(
    (a, b) => instance.capacity[a]! - instance.capacity[b]! || a - b,
  );
  const heaviestFirst = [...chains].sort((a, b) => b.load - a.load || a.nodes[0]! - b.nodes[0]!);
  for (const chain of heaviestFirst) {
    if (budget.outOfTime()) {
      outOfTime.push(...chain.nodes);
      continue;
    }
    const vehicle = byVehicleSize.find((v) => routes[v]!.nodes.length === 0 && isFeasible(instance, buildRoute(instance, v, chain.nodes)));
    if (vehicle === undefined) leftOver.push(...chain.nodes);
    else routes[vehicle] = buildRoute(instance, vehicle, chain.nodes);
  }
  return { routes, leftOver, outOfTime };
};

/** The cheapest feasible place for a stop on any route, if there is one. */
export const cheapestInsertion = (instance: Instance, routes: readonly Route[], node: number) => {
  let best: { vehicle: number; position: number; delta: number } | undefined;
  for (const route of routes) {
    if (!hasRoomFor(instance, route, node)) continue;
    for (let p = 0; p <= route.nodes.length; p++) {
      const delta = insertionDelta(instance, route, node, p);
      if ((best === undefined || delta < best.delta) && fitsInTime(instance, route, node, p))
        best = { vehicle: route.vehicle, position: p, delta };
    }
  }
  return best;
};

export type Construction = {
  readonly solution: Solution;
  /** Stops the time limit left no time to place. */
  readonly outOfTime: readonly number[];
};

export const savingsConstruction = (instance: Instance, budget: Budget): Construction => {
  const servable: number[] = [];
  const unassigned: number[] = [];
  const outOfTime: number[] = [];
  for (let node = 1; node < instance.size; node++) {
    if (budget.outOfTime()) outOfTime.push(node);
    else (servableAlone(instance, node) ? servable : unassigned).push(node);
  }
  const assigned = assignVehicles(instance, buildChains(instance, servable, budget), budget);
  const { routes, leftOver } = assigned;
  outOfTime.push(...assigned.outOfTime);
  for (const node of leftOver) {
    if (budget.outOfTime()) {
      outOfTime.push(node);
      continue;
    }
    const place = cheapestInsertion(instance, routes, node);
    if (place === undefined) unassigned.push(node);
    else routes[place.vehicle] = withInsertion(instance, routes[place.vehicle]!, node, place.position);
  }
  return { solution: { routes, unassigned: [...unassigned, ...outOfTime].sort((a, b) => a - b) }, outOfTime };
};
