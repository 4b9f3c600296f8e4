// Ruin and recreate with string removals (SISR: Christiaens and Vanden Berghe, "Slack Induction by String
// Removals for Vehicle Routing Problems", Transportation Science 54(2), 2020), under simulated annealing.
// Each iteration removes a few strings of consecutive stops from routes near a random stop (which leaves
// slack where stops are close together), puts them back one by one at their cheapest feasible place,
// skipping each place with a small probability (blinks, so the same place is not always taken), and keeps
// the result if it is better, or worse by less than the temperature allows. The temperature falls with the
// effort spent, not with the clock, so the same seed gives the same search.
import type { Budget } from './budget.ts';
import type { Random } from './random.ts';
import { hasRoomFor, timeSlack, withInsertion, withoutNodes, type Route } from './route.ts';
import { isBetter, place, unassignedOf, type Solution, type Working } from './solution.ts';

export type RuinRecreateSettings = {
  /** c̄: stops removed per iteration, on average. */
  readonly averageRemoved: number;
  /** L_max: the longest string removed from one route. */
  readonly maxStringLength: number;
  /** How often a string keeps some stops in its middle (the split string). */
  readonly splitRate: number;
  /** β: each further stop kept in a split string's middle is this much less likely. */
  readonly splitDepth: number;
  /** γ: how often an insertion place is skipped. */
  readonly blinkRate: number;
  /** Temperatures as multiples of the starting solution's average leg. */
  readonly initialTemperature: number;
  readonly finalTemperature: number;
  /** Fleets up to this size try every place on every route for each stop; larger ones the places beside its nearest stops first. */
  readonly smallFleet: number;
};

export const defaultSettings: RuinRecreateSettings = {
  averageRemoved: 10,
  maxStringLength: 10,
  splitRate: 0.5,
  splitDepth: 0.5,
  blinkRate: 0.01,
  initialTemperature: 1,
  finalTemperature: 0.01,
  smallFleet: 20,
};

const nearbyStops = 40;

type Insertion = { vehicle: number; position: number; delta: number };

export type SearchOutcome = { readonly best: Solution; readonly iterations: number };

export const ruinAndRecreate = (
  working: Working,
  budget: Budget,
  random: Random,
  { settings = defaultSettings, maxIterations = Infinity }: { settings?: RuinRecreateSettings; maxIterations?: number } = {},
): SearchOutcome => {
  const instance = working.instance;
  const { size, distance: D, demand, opens, closes, service, secondsPerUnit, neighbours } = instance;
  const { routes, routeOf, positionOf } = working;
  const classOf = instance.vehicleClass;
  const classCount = instance.classVehicles.length;
  const triedClass = new Int32Array(classCount);
  let stamp = 0;

  const averageLeg = () => {
    const used = routes.filter((r) => r.nodes.length > 0).length;
    const assigned = size - 1 - working.unassignedCount;
    return assigned + used === 0 ? 1 : working.distance / (assigned + used);
  };
  const scale = averageLeg() || 1;
  const t0 = settings.initialTemperature * scale;
  const tf = settings.finalTemperature * scale;

  // Blinks: rather than a random draw per place, draw how many places pass until the next one is skipped.
  const blinkGap = () => 1 + Math.floor(Math.log(1 - random.next()) / Math.log(1 - settings.blinkRate));
  let untilBlink = blinkGap();

  /** u between positions p and p + 1 of route, if it is not blinked, fits in time and beats `found`. */
  const tryPlace = (u: number, route: Route, p: number, found: Insertion | undefined): Insertion | undefined => {
    if (--untilBlink <= 0) {
      untilBlink = blinkGap();
      return found;
    }
    // Both new legs from u's own row of the matrix (it is symmetric), the old one from the route: reading the
    // matrix at random is what this loop would otherwise wait on.
    const m = route.nodes.length;
    const previous = p === 0 ? 0 : route.nodes[p - 1]!;
    const next = p === m ? 0 : route.nodes[p]!;
    const toU = D[u * size + previous]!;
    const fromU = D[u * size + next]!;
    const delta = toU + fromU - route.legs[p]!;
    if (found !== undefined && delta >= found.delta) return found;
    const start = Math.max(route.departs[p]! + toU * secondsPerUnit, opens[u]!);
    if (start > closes[u]! + timeSlack || start + service[u]! + fromU * secondsPerUnit > route.latest[p + 1]! + timeSlack) return found;
    return { vehicle: route.vehicle, position: p, delta };
  };

  const hasRoom = (u: number, route: Route) => hasRoomFor(instance, route, u);

  const everyPlaceOn = (u: number, route: Route, best: Insertion | undefined): Insertion | undefined => {
    if (!hasRoom(u, route)) return best;
    budget.spend(route.nodes.length + 1);
    let found = best;
    for (let p = 0; p <= route.nodes.length; p++) found = tryPlace(u, route, p, found);
    return found;
  };

  /** Each class of empty route, once. */
  const emptyRoutes = (u: number, best: Insertion | undefined): Insertion | undefined => {
    stamp++;
    let found = best;
    for (const route of routes)
      if (route.nodes.length === 0 && triedClass[classOf[route.vehicle]!] !== stamp) {
        triedClass[classOf[route.vehicle]!] = stamp;
        found = everyPlaceOn(u, route, found);
      }
    return found;
  };

  /** Every place on every route (small fleets, and the fallback of large ones). */
  const everyPlace = (u: number): Insertion | undefined => {
    let best = emptyRoutes(u, undefined);
    for (const route of routes) if (route.nodes.length > 0) best = everyPlaceOn(u, route, best);
    return best;
  };

  /** Large fleets: the places just before and just after u's nearest stops, and empty routes; every place when none of them takes it. */
  const nearPlaces = (u: number): Insertion | undefined => {
    let best = emptyRoutes(u, undefined);
    const near = neighbours[u]!;
    const count = Math.min(nearbyStops, near.length);
    budget.spend(2 * count);
    for (let k = 0; k < count; k++) {
      const v = near[k]!;
      const r = routeOf[v]!;
      if (r < 0 || !hasRoom(u, routes[r]!)) continue;
      const route = routes[r]!;
      const at = positionOf[v]!;
      best = tryPlace(u, route, at - 1, best);
      best = tryPlace(u, route, at, best);
    }
    return best ?? everyPlace(u);
  };

  const bestInsertion = instance.vehicles <= settings.smallFleet ? everyPlace : nearPlaces;

  // Taking stops out never makes a route late when distances keep the triangle inequality; rounded ones may
  // not, by a unit, so a route made late by a removal voids the iteration.
  let late = false;
  const removeFrom = (route: Route, removed: number[], nodesOut: readonly number[]) => {
    removed.push(...nodesOut);
    budget.spend(route.nodes.length);
    const shorter = withoutNodes(instance, route, new Set(nodesOut));
    if (!shorter.punctual) late = true;
    place(working, shorter);
  };

  /** A string of `length` consecutive stops through c; or, split, a longer one whose middle stays. */
  const stringThrough = (route: Route, c: number, length: number): number[] => {
    const m = route.nodes.length;
    const split = length < m && random.next() < settings.splitRate;
    let kept = 0;
    if (split) {
      kept = 1;
      while (length + kept < m && random.next() < settings.splitDepth) kept++;
    }
    const span = length + kept;
    const at = positionOf[c]! - 1;
    const lowest = Math.max(0, at - span + 1);
    const highest = Math.min(at, m - span);
    const from = lowest + random.below(highest - lowest + 1);
    const stretch = route.nodes.slice(from, from + span);
    if (!split) return stretch;
    const keptFrom = random.below(length + 1);
    return [...stretch.slice(0, keptFrom), ...stretch.slice(keptFrom + kept)];
  };

  const ruin = (): number[] => {
    const used = routes.filter((r) => r.nodes.length > 0).length;
    const assigned = size - 1 - working.unassignedCount;
    if (assigned === 0) return [];
    const longest = Math.min(settings.maxStringLength, assigned / used);
    const mostStrings = (4 * settings.averageRemoved) / (1 + longest) - 1;
    const strings = Math.floor(random.next() * mostStrings) + 1;
    const seed = 1 + random.below(size - 1);
    const ruined = new Set<number>();
    const removed: number[] = [];
    const visit = (c: number) => {
      const v = routeOf[c]!;
      if (v < 0 || ruined.has(v)) return;
      const route = routes[v]!;
      const length = Math.floor(random.next() * Math.min(route.nodes.length, longest)) + 1;
      ruined.add(v);
      removeFrom(route, removed, stringThrough(route, c, length));
    };
    visit(seed);
    for (const c of neighbours[seed]!) {
      if (ruined.size >= strings) break;
      visit(c);
    }
    return removed;
  };

  const shuffle = (nodes: number[]) => {
    for (let i = nodes.length - 1; i > 0; i--) {
      const j = random.below(i + 1);
      [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
    }
    return nodes;
  };

  /** The order stops go back in: at random (4), heaviest first (4), farthest from the depot first (2), nearest first (1). */
  const recreateOrder = (nodes: number[]): number[] => {
    const pick = random.next() * 11;
    const shuffled = shuffle(nodes);
    if (pick < 4) return shuffled;
    if (pick < 8) return shuffled.sort((a, b) => demand[b]! - demand[a]!);
    if (pick < 10) return shuffled.sort((a, b) => D[b]! - D[a]!);
    return shuffled.sort((a, b) => D[a]! - D[b]!);
  };

  const recreate = (nodes: number[]) => {
    for (const u of recreateOrder(nodes)) {
      const at = bestInsertion(u);
      if (at === undefined) continue;
      budget.spend(routes[at.vehicle]!.nodes.length + 1);
      place(working, withInsertion(instance, routes[at.vehicle]!, u, at.position));
    }
  };

  let best = { routes: [...routes], distance: working.distance, unassignedCount: working.unassignedCount };
  let iterations = 0;
  const startProgress = budget.progress();
  /** How far the search is, from 0 to 1: by the effort left when it began, or by its iterations when they are capped. */
  const progress = () =>
    Math.max(startProgress < 1 ? (budget.progress() - startProgress) / (1 - startProgress) : 1, iterations / maxIterations);
  while (iterations < maxIterations && !budget.exhausted()) {
    iterations++;
    late = false;
    const before = [...routes];
    const beforeDistance = working.distance;
    const beforeUnassigned = working.unassignedCount;
    const leftOut = beforeUnassigned > 0 ? unassignedOf(working) : [];
    recreate([...ruin(), ...leftOut]);
    const temperature = t0 * Math.pow(tf / t0, progress());
    const accepted =
      !late &&
      (working.unassignedCount < beforeUnassigned ||
        (working.unassignedCount === beforeUnassigned && working.distance < beforeDistance - temperature * Math.log(1 - random.next())));
    if (!accepted) {
      for (let v = 0; v < before.length; v++) if (routes[v] !== before[v]) place(working, before[v]!);
      working.distance = beforeDistance;
    } else if (isBetter(working, best))
      best = { routes: [...routes], distance: working.distance, unassignedCount: working.unassignedCount };
  }
  for (let v = 0; v < best.routes.length; v++) if (routes[v] !== best.routes[v]) place(working, best.routes[v]!);
  working.distance = best.distance;
  return { best: { routes: best.routes, unassigned: unassignedOf(working) }, iterations };
};
