// A descent over four neighbourhoods, each move between a stop and one of its nearest neighbours (a
// granular search): relocate (move a stop next to its neighbour), swap (exchange the two), 2-opt (reverse
// the stretch between them on one route) and 2-opt* (exchange the two routes' tails after them). A move is
// priced in O(1) and checked for capacity and windows only when it shortens the plan; the first improving
// move is taken, until a whole pass finds none or the budget runs out.
import type { Budget } from './budget.ts';
import { buildRoute, hasRoomFor, isFeasible, type Route } from './route.ts';
import { place, type Working } from './solution.ts';

const improvement = 1e-9;
const granularity = 20;

const nodeAt = (route: Route, position: number) => (position === 0 || position > route.nodes.length ? 0 : route.nodes[position - 1]!);

/** Applies the new routes if every one is feasible; says whether it did. */
const tryRoutes = (working: Working, budget: Budget, candidates: readonly { vehicle: number; nodes: number[] }[]): boolean => {
  const routes = candidates.map(({ vehicle, nodes }) => {
    budget.spend(nodes.length);
    return buildRoute(working.instance, vehicle, nodes);
  });
  if (!routes.every((route) => isFeasible(working.instance, route))) return false;
  for (const route of routes) place(working, route);
  return true;
};

const relocate = (working: Working, budget: Budget, u: number, v: number): boolean => {
  const { instance, routes, routeOf, positionOf } = working;
  const d = (a: number, b: number) => instance.distance[a * instance.size + b]!;
  const a = routes[routeOf[u]!]!;
  const b = routes[routeOf[v]!]!;
  const pu = positionOf[u]!;
  const pv = positionOf[v]!;
  const before = nodeAt(a, pu - 1);
  const after = nodeAt(a, pu + 1);
  const removal = d(before, u) + d(u, after) - d(before, after);
  // After v, then before v.
  for (const side of [1, 0]) {
    const left = side === 1 ? v : nodeAt(b, pv - 1);
    const right = side === 1 ? nodeAt(b, pv + 1) : v;
    if (left === u || right === u) continue;
    const delta = d(left, u) + d(u, right) - d(left, right) - removal;
    if (delta >= -improvement) continue;
    if (a === b) {
      const rest = a.nodes.filter((node) => node !== u);
      const at = rest.indexOf(v) + side;
      if (tryRoutes(working, budget, [{ vehicle: a.vehicle, nodes: [...rest.slice(0, at), u, ...rest.slice(at)] }])) return true;
      continue;
    }
    if (!hasRoomFor(instance, b, u)) continue;
    const at = pv - 1 + side;
    const moved = [...b.nodes.slice(0, at), u, ...b.nodes.slice(at)];
    if (
      tryRoutes(working, budget, [
        { vehicle: a.vehicle, nodes: a.nodes.filter((node) => node !== u) },
        { vehicle: b.vehicle, nodes: moved },
      ])
    )
      return true;
  }
  return false;
};

const swap = (working: Working, budget: Budget, u: number, v: number): boolean => {
  const { instance, routes, routeOf, positionOf } = working;
  const d = (x: number, y: number) => instance.distance[x * instance.size + y]!;
  const a = routes[routeOf[u]!]!;
  const b = routes[routeOf[v]!]!;
  const pu = positionOf[u]!;
  const pv = positionOf[v]!;
  if (a === b && Math.abs(pu - pv) <= 1) return false;
  const [ub, ua, vb, va] = [nodeAt(a, pu - 1), nodeAt(a, pu + 1), nodeAt(b, pv - 1), nodeAt(b, pv + 1)];
  const delta = d(ub, v) + d(v, ua) - d(ub, u) - d(u, ua) + d(vb, u) + d(u, va) - d(vb, v) - d(v, va);
  if (delta >= -improvement) return false;
  const exchange = (nodes: readonly number[]) => nodes.map((node) => (node === u ? v : node === v ? u : node));
  if (a === b) return tryRoutes(working, budget, [{ vehicle: a.vehicle, nodes: exchange(a.nodes) }]);
  const shift = instance.demand[v]! - instance.demand[u]!;
  if (a.load + shift > instance.capacity[a.vehicle]! + 1e-9 || b.load - shift > instance.capacity[b.vehicle]! + 1e-9) return false;
  return tryRoutes(working, budget, [
    { vehicle: a.vehicle, nodes: exchange(a.nodes) },
    { vehicle: b.vehicle, nodes: exchange(b.nodes) },
  ]);
};

/** u and v on one route: reverse the stretch after the earlier up to the later, so the two become neighbours. */
const twoOpt = (working: Working, budget: Budget, u: number, v: number): boolean => {
  const { instance, routes, routeOf, positionOf } = working;
  const d = (x: number, y: number) => instance.distance[x * instance.size + y]!;
  const route = routes[routeOf[u]!]!;
  const [first, second] = positionOf[u]! < positionOf[v]! ? [u, v] : [v, u];
  const p = positionOf[first]!;
  const q = positionOf[second]!;
  const afterFirst = nodeAt(route, p + 1);
  const afterSecond = nodeAt(route, q + 1);
  if (afterFirst === second) return false;
  const delta = d(first, second) + d(afterFirst, afterSecond) - d(first, afterFirst) - d(second, afterSecond);
  if (delta >= -improvement) return false;
  const nodes = [...route.nodes.slice(0, p), ...route.nodes.slice(p, q).toReversed(), ...route.nodes.slice(q)];
  return tryRoutes(working, budget, [{ vehicle: route.vehicle, nodes }]);
};

/** u and v on two routes: u's route goes on to v and v's tail, v's route takes over u's tail. */
const twoOptStar = (working: Working, budget: Budget, u: number, v: number): boolean => {
  const { instance, routes, routeOf, positionOf } = working;
  const d = (x: number, y: number) => instance.distance[x * instance.size + y]!;
  const a = routes[routeOf[u]!]!;
  const b = routes[routeOf[v]!]!;
  const pu = positionOf[u]!;
  const pv = positionOf[v]!;
  const afterU = nodeAt(a, pu + 1);
  const beforeV = nodeAt(b, pv - 1);
  const delta = d(u, v) + d(beforeV, afterU) - d(u, afterU) - d(beforeV, v);
  if (delta >= -improvement) return false;
  const newA = [...a.nodes.slice(0, pu), ...b.nodes.slice(pv - 1)];
  const newB = [...b.nodes.slice(0, pv - 1), ...a.nodes.slice(pu)];
  const load = (nodes: readonly number[]) => nodes.reduce((sum, node) => sum + instance.demand[node]!, 0);
  if (load(newA) > instance.capacity[a.vehicle]! + 1e-9 || load(newB) > instance.capacity[b.vehicle]! + 1e-9) return false;
  return tryRoutes(working, budget, [
    { vehicle: a.vehicle, nodes: newA },
    { vehicle: b.vehicle, nodes: newB },
  ]);
};

const improveAround = (working: Working, budget: Budget, u: number): boolean => {
  const neighbours = working.instance.neighbours[u]!;
  const count = Math.min(granularity, neighbours.length);
  for (let k = 0; k < count; k++) {
    const v = neighbours[k]!;
    if (working.routeOf[u]! < 0) return false;
    if (working.routeOf[v]! < 0) continue;
    budget.spend(4);
    const sameRoute = working.routeOf[u] === working.routeOf[v];
    if (relocate(working, budget, u, v) || swap(working, budget, u, v)) return true;
    if (sameRoute ? twoOpt(working, budget, u, v) : twoOptStar(working, budget, u, v)) return true;
  }
  return false;
};

/** Descends until no move improves, or the budget is spent. Returns whether anything changed. */
export const localSearch = (working: Working, budget: Budget): boolean => {
  let changed = false;
  for (let improved = true; improved && !budget.exhausted();) {
    improved = false;
    for (let u = 1; u < working.instance.size; u++) {
      if ((u & 63) === 0 && budget.exhausted()) return changed;
      if (improveAround(working, budget, u)) {
        improved = true;
        changed = true;
      }
    }
  }
  return changed;
};
