// The RouteOptimizer contract: every adapter runs these same tests. A plan is checked against its problem
// by `planViolations` (every stop exactly once on a route or unassigned with a reason, capacity, windows,
// shifts, and times and distances that follow from the problem's metric), on fixed problems that make each
// rule bind and on random ones (fast-check).
import type { TestFn } from 'ava';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeRoutingProblem,
  placesOf,
  secondsPerDistanceUnit,
  type OptimizerFailure,
  type RouteOptimizer,
  type RoutePlan,
  type RoutingProblem,
} from '../route-optimizer.ts';

export type RouteOptimizerContract = {
  /** Adapter name, prefixed to every test title. */
  readonly name: string;
  readonly optimizer: () => RouteOptimizer;
  /** The metrics it plans (an optimizer of road networks may refuse planes). Default: both. */
  readonly metrics?: readonly RoutingProblem['metric'][];
  /** Whether the same seed gives the same plan (a cloud solver without a seed does not). Default: true. */
  readonly deterministic?: boolean;
  /** How far its instants may stray from what the metric gives (rounding to whole seconds, to milliseconds). Default 5 ms. */
  readonly timeToleranceMs?: number;
  /** How far its distances may stray from the metric's, relative (an optimizer on an ellipsoid, legs in whole metres). Default 1e-6. */
  readonly distanceTolerance?: number;
  /** How long past its time limit a call may answer: handing the problem over and the plan back on a busy machine, the network. Default 1,000 ms. */
  readonly answerMarginMs?: number;
  /** Random problems the property test plans (one call each). Default 20. */
  readonly propertyRuns?: number;
};

// ---- Checking a plan against its problem ----

const ms = (instant: string) => Date.parse(instant);

/** Everything wrong with a plan for a problem, as sentences; empty when it keeps every rule. */
export const planViolations = (
  problem: RoutingProblem,
  plan: RoutePlan,
  { timeToleranceMs = 5, distanceTolerance = 1e-6 } = {},
): string[] => {
  const problems: string[] = [];
  const say = (line: string) => problems.push(line);
  const stopIndex = new Map(problem.stops.map((stop, index) => [stop.stopId, index]));
  const vehicleOf = new Map(problem.vehicles.map((vehicle) => [vehicle.vehicleId, vehicle]));
  const seen = new Map<string, string>();
  const mark = (stopId: string, where: string) => {
    if (!stopIndex.has(stopId)) say(`${where}: ${stopId} is not a stop of the problem`);
    const earlier = seen.get(stopId);
    if (earlier !== undefined) say(`${stopId} is both ${earlier} and ${where}`);
    seen.set(stopId, where);
  };
  const { distance } = placesOf(problem);
  const secondsPerUnit = secondsPerDistanceUnit(problem);
  const travelMs = (from: number, to: number) => distance(from, to) * secondsPerUnit * 1000;
  const near = (a: number, b: number) => Math.abs(a - b) <= timeToleranceMs;
  const usedVehicles = new Set<string>();
  let total = 0;
  for (const route of plan.routes) {
    const where = `route of ${route.vehicleId}`;
    const vehicle = vehicleOf.get(route.vehicleId);
    if (vehicle === undefined) {
      say(`${where}: no such vehicle`);
      continue;
    }
    if (usedVehicles.has(route.vehicleId)) say(`${where}: the vehicle has two routes`);
    usedVehicles.add(route.vehicleId);
    if (route.stops.length === 0) say(`${where}: a route without stops`);
    if (ms(route.departsAt) < ms(problem.startAt) - timeToleranceMs) say(`${where}: leaves at ${route.departsAt}, before the start`);
    let previous = 0;
    let clock = ms(route.departsAt);
    let load = 0;
    let length = 0;
    for (const planned of route.stops) {
      mark(planned.stopId, where);
      const index = stopIndex.get(planned.stopId);
      if (index === undefined) continue;
      const stop = problem.stops[index]!;
      const node = index + 1;
      load += stop.demandKg;
      length += distance(previous, node);
      const [arrives, starts, departs] = [ms(planned.arrivesAt), ms(planned.startsAt), ms(planned.departsAt)];
      if (!near(arrives, clock + travelMs(previous, node)))
        say(`${where}: arrives at ${planned.stopId} at ${planned.arrivesAt}, not after the travel from the stop before`);
      if (starts < arrives - timeToleranceMs) say(`${where}: starts at ${planned.stopId} before arriving`);
      if (stop.window?.opensAt !== undefined && starts < ms(stop.window.opensAt))
        say(`${where}: starts at ${planned.stopId} before its window opens`);
      if (stop.window?.closesAt !== undefined && starts > ms(stop.window.closesAt))
        say(`${where}: starts at ${planned.stopId} at ${planned.startsAt}, after its window closed at ${stop.window.closesAt}`);
      if (!near(departs, starts + stop.serviceSeconds * 1000))
        say(`${where}: leaves ${planned.stopId} before or long after its service ends`);
      clock = departs;
      previous = node;
    }
    length += distance(previous, 0);
    if (!near(ms(route.returnsAt), clock + travelMs(previous, 0)))
      say(`${where}: returns at ${route.returnsAt}, not after the travel back`);
    if (vehicle.returnBy !== undefined && ms(route.returnsAt) > ms(vehicle.returnBy))
      say(`${where}: returns at ${route.returnsAt}, after the end of its shift at ${vehicle.returnBy}`);
    if (load > vehicle.capacityKg + 1e-6) say(`${where}: carries ${load} kg, more than its ${vehicle.capacityKg} kg`);
    if (vehicle.maxStops !== undefined && route.stops.length > vehicle.maxStops)
      say(`${where}: has ${route.stops.length} stops, more than its ${vehicle.maxStops}`);
    if (Math.abs(route.loadKg - load) > 1e-6) say(`${where}: says it carries ${route.loadKg} kg, its stops weigh ${load} kg`);
    if (Math.abs(route.distance - length) > distanceTolerance * Math.max(1, length) + 0.5)
      say(`${where}: says it is ${route.distance} long, its legs add up to ${length}`);
    total += route.distance;
  }
  const largest = Math.max(...problem.vehicles.map((vehicle) => vehicle.capacityKg));
  for (const unassigned of plan.unassigned) {
    mark(unassigned.stopId, 'unassigned');
    const index = stopIndex.get(unassigned.stopId);
    if (unassigned.reason === 'exceeds-capacity' && index !== undefined && problem.stops[index]!.demandKg <= largest)
      say(`${unassigned.stopId} is said to exceed every vehicle's capacity, but fits the largest`);
  }
  for (const stop of problem.stops) if (!seen.has(stop.stopId)) say(`${stop.stopId} is neither on a route nor unassigned`);
  if (Math.abs(plan.distance - total) > 1e-6 * Math.max(1, total) + 0.5) say(`the plan says ${plan.distance} in all, its routes ${total}`);
  return problems;
};

// ---- Problems ----

/** mulberry32: the suite's own seeded source, so each fixed problem is the same on every run. */
const seeded = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
};

const start = Date.parse('2026-11-21T07:00:00Z');
const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
const amsterdam = { lat: 52.3676, lng: 4.9041 };

export type ProblemShape = {
  readonly metric: RoutingProblem['metric'];
  readonly stops: number;
  readonly vehicles: number;
  readonly capacityKg: number;
  readonly demandKg: readonly [number, number];
  /** Minutes after the start by which each stop's window closes (none: no windows). */
  readonly closesWithin?: readonly [number, number];
  /** Minutes after the start by which vehicles are back (none: no shift end). */
  readonly shiftMinutes?: number;
  /** The most stops per route (none: no limit). */
  readonly maxStops?: number;
  readonly seed: number;
  readonly search: RoutingProblem['search'];
};

/** A problem of the given shape: stops within ~8 km of Amsterdam's centre, or on a 100 × 100 plane. */
export const problemOfShape = (shape: ProblemShape): RoutingProblem => {
  const random = seeded(shape.seed);
  const between = ([low, high]: readonly [number, number]) => low + random() * (high - low);
  const place = () =>
    shape.metric === 'great-circle'
      ? { lat: amsterdam.lat + (random() - 0.5) * 0.14, lng: amsterdam.lng + (random() - 0.5) * 0.24 }
      : { x: Math.round(random() * 100), y: Math.round(random() * 100) };
  return decodedProblem({
    metric: shape.metric,
    ...(shape.metric === 'great-circle' ? { speedKmh: 25 } : { unitsPerHour: 600 }),
    depot: place(),
    startAt: at(0),
    vehicles: Array.from({ length: shape.vehicles }, (_, i) => ({
      vehicleId: `van-${i + 1}`,
      capacityKg: shape.capacityKg,
      ...(shape.shiftMinutes !== undefined && { returnBy: at(shape.shiftMinutes) }),
      ...(shape.maxStops !== undefined && { maxStops: shape.maxStops }),
    })),
    stops: Array.from({ length: shape.stops }, (_, i) => ({
      stopId: `stop-${i + 1}`,
      location: place(),
      demandKg: Math.round(between(shape.demandKg) * 10) / 10,
      serviceSeconds: 60 + Math.round(random() * 120),
      ...(shape.closesWithin !== undefined && { window: { closesAt: at(between(shape.closesWithin)) } }),
    })),
    search: shape.search,
  });
};

/** Decodes a problem written as JSON in a test; a problem that does not decode is a bug in the test. */
export const decodedProblem = (json: unknown): RoutingProblem => {
  const decoded = decodeRoutingProblem(json);
  if (E.isLeft(decoded)) throw new Error(`the test's problem does not decode: ${JSON.stringify(decoded.left)}`);
  return decoded.right;
};

/** The same problem with its stops changed (whichever metric it has). */
const withStops = (
  problem: RoutingProblem,
  change: <S extends RoutingProblem['stops'][number]>(stops: readonly S[]) => S[],
): RoutingProblem =>
  problem.metric === 'great-circle' ? { ...problem, stops: change(problem.stops) } : { ...problem, stops: change(problem.stops) };

const planned = (outcome: E.Either<OptimizerFailure, RoutePlan>): RoutePlan => {
  if (E.isLeft(outcome)) throw new Error(`expected a plan, got ${JSON.stringify(outcome.left)}`);
  return outcome.right;
};

const arbitraryShape = (metrics: readonly RoutingProblem['metric'][]) =>
  fc.record({
    metric: fc.constantFrom(...metrics),
    stops: fc.integer({ min: 0, max: 40 }),
    vehicles: fc.integer({ min: 1, max: 6 }),
    capacityKg: fc.integer({ min: 20, max: 400 }),
    demandKg: fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 60 })).map(([a, b]): [number, number] => [a, a + b]),
    closesWithin: fc.option(
      fc.tuple(fc.integer({ min: 5, max: 240 }), fc.integer({ min: 0, max: 300 })).map(([a, b]): [number, number] => [a, a + b]),
      { nil: undefined },
    ),
    shiftMinutes: fc.option(fc.integer({ min: 30, max: 600 }), { nil: undefined }),
    maxStops: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
    search: fc.record({
      seed: fc.integer({ min: 0, max: 1000 }),
      timeLimitMs: fc.constant(2_000),
      iterations: fc.integer({ min: 1, max: 300 }),
    }),
  });

// ---- The suite ----

export const routeOptimizerContract = (test: TestFn, contract: RouteOptimizerContract): void => {
  const {
    name,
    metrics = ['great-circle', 'rounded-euclidean'],
    deterministic = true,
    timeToleranceMs = 5,
    answerMarginMs = 1_000,
  } = contract;
  const tolerance = { timeToleranceMs, distanceTolerance: contract.distanceTolerance ?? 1e-6 };
  const title = (t: string) => `${name} route optimizer: ${t}`;
  const optimize = (problem: RoutingProblem) => contract.optimizer().optimize(problem);
  const search = { seed: 11, timeLimitMs: 3_000, iterations: 2_000 };

  for (const metric of metrics)
    test(
      title(`plans every stop once, within capacity, windows and shifts, with times and distances from the metric (${metric})`),
      async (t) => {
        const problem = problemOfShape({
          metric,
          stops: 60,
          vehicles: 6,
          capacityKg: 300,
          demandKg: [1, 20],
          closesWithin: [240, 360],
          shiftMinutes: 420,
          seed: 1,
          search,
        });
        const plan = planned(await optimize(problem));
        t.deepEqual(planViolations(problem, plan, tolerance), []);
        t.deepEqual(plan.unassigned, [], 'a problem with room for everything leaves nothing out');
        t.is(plan.distanceUnit, metric === 'great-circle' ? 'metres' : 'units');
        // It plans, not just lists: shorter than driving to each stop on its own.
        const { distance } = placesOf(problem);
        const oneByOne = problem.stops.reduce((sum, _, index) => sum + 2 * distance(0, index + 1), 0);
        t.true(plan.distance < oneByOne / 2, `${plan.distance} against ${oneByOne} one by one`);
      },
    );

  test(title('keeps to every vehicle’s capacity when capacity binds'), async (t) => {
    const problem = problemOfShape({ metric: metrics[0]!, stops: 50, vehicles: 8, capacityKg: 60, demandKg: [5, 15], seed: 2, search });
    const plan = planned(await optimize(problem));
    t.deepEqual(planViolations(problem, plan, tolerance), []);
    t.true(plan.routes.length >= Math.ceil(problem.stops.reduce((sum, s) => sum + s.demandKg, 0) / 60) - 1);
  });

  test(title('keeps to every route’s stop limit'), async (t) => {
    const problem = problemOfShape({
      metric: metrics[0]!,
      stops: 12,
      vehicles: 3,
      capacityKg: 500,
      demandKg: [1, 5],
      maxStops: 3,
      seed: 10,
      search,
    });
    const plan = planned(await optimize(problem));
    t.deepEqual(planViolations(problem, plan, tolerance), []);
    t.deepEqual(
      plan.routes.map((route) => route.stops.length),
      [3, 3, 3],
    );
    t.deepEqual(
      plan.unassigned.map((u) => u.reason),
      ['no-room', 'no-room', 'no-room'],
    );
  });

  test(title('returns what it cannot place as unassigned with why, and drops nothing'), async (t) => {
    const base = problemOfShape({ metric: 'great-circle', stops: 10, vehicles: 2, capacityKg: 50, demandKg: [20, 20], seed: 3, search });
    if (!metrics.includes('great-circle') || base.metric !== 'great-circle') return t.pass('plans only planes');
    const far = { lat: base.depot.lat + 0.5, lng: base.depot.lng };
    const problem = decodedProblem({
      ...base,
      stops: [
        ...base.stops,
        { stopId: 'too-heavy', location: base.stops[0]!.location, demandKg: 51, serviceSeconds: 60 },
        { stopId: 'too-far-too-soon', location: far, demandKg: 1, serviceSeconds: 60, window: { closesAt: at(10) } },
      ],
    });
    const plan = planned(await optimize(problem));
    t.deepEqual(planViolations(problem, plan, tolerance), []);
    const reasonOf = new Map(plan.unassigned.map((u) => [u.stopId, u.reason]));
    t.is(reasonOf.get('too-heavy'), 'exceeds-capacity');
    t.is(reasonOf.get('too-far-too-soon'), 'unreachable-in-window');
    // Ten stops of 20 kg and two vehicles of 50 kg: four go, six stay, for lack of room.
    t.is(
      plan.routes.reduce((sum, route) => sum + route.stops.length, 0),
      4,
    );
    t.deepEqual(
      plan.unassigned.filter((u) => u.stopId.startsWith('stop-')).map((u) => u.reason),
      Array.from({ length: 6 }, () => 'no-room'),
    );
    t.true(plan.unassigned.every((u) => u.detail.length > 0));
  });

  test(title('waits at a door until its window opens'), async (t) => {
    const base = problemOfShape({ metric: metrics[0]!, stops: 3, vehicles: 1, capacityKg: 100, demandKg: [1, 2], seed: 4, search });
    const problem = decodedProblem({
      ...base,
      stops: base.stops.map((stop, i) => (i === 0 ? { ...stop, window: { opensAt: at(180), closesAt: at(240) } } : stop)),
    });
    const plan = planned(await optimize(problem));
    t.deepEqual(planViolations(problem, plan, tolerance), []);
    const visit = plan.routes.flatMap((route) => route.stops).find((stop) => stop.stopId === 'stop-1');
    t.truthy(visit);
    t.true(Date.parse(visit!.startsAt) >= Date.parse(at(180)));
    t.true(Date.parse(visit!.startsAt) - Date.parse(at(180)) <= 2 * 60_000, 'and serves it soon after it opens, not at the deadline');
  });

  test(title('a problem without stops gets a plan without routes'), async (t) => {
    const problem = problemOfShape({ metric: metrics[0]!, stops: 0, vehicles: 3, capacityKg: 100, demandKg: [1, 2], seed: 5, search });
    const plan = planned(await optimize(problem));
    t.deepEqual([plan.routes, plan.unassigned, plan.distance], [[], [], 0]);
  });

  test(title('refuses a problem that breaks a rule, with the field’s path, and plans nothing'), async (t) => {
    const base = problemOfShape({ metric: metrics[0]!, stops: 3, vehicles: 1, capacityKg: 100, demandKg: [1, 2], seed: 6, search });
    const duplicate = withStops(base, (stops) => [...stops, stops[0]!]);
    const outcome = await optimize(duplicate);
    t.deepEqual(E.isLeft(outcome) && outcome.left, {
      _tag: 'InvalidProblem',
      errors: [{ pointer: '#/stops/3/stopId', detail: 'is the same as #/stops/0/stopId' }],
    });
    const notANumber = withStops(base, (stops) => stops.map((stop, i) => (i === 1 ? { ...stop, demandKg: Number.NaN } : stop)));
    const refused = await optimize(notANumber);
    t.true(E.isLeft(refused) && refused.left._tag === 'InvalidProblem' && refused.left.errors[0]!.pointer === '#/stops/1/demandKg');
  });

  if (deterministic)
    test(title('the same seed gives the same plan'), async (t) => {
      const problem = problemOfShape({
        metric: metrics[0]!,
        stops: 80,
        vehicles: 8,
        capacityKg: 120,
        demandKg: [2, 20],
        closesWithin: [120, 400],
        seed: 7,
        search: { seed: 42, timeLimitMs: 10_000, iterations: 1_500 },
      });
      const [first, second] = [planned(await optimize(problem)), planned(await optimize(problem))];
      t.false(first.search.cutByTimeLimit, 'a search the clock cut short may differ');
      t.deepEqual(second, first);
      t.deepEqual(planViolations(problem, first, tolerance), []);
    });

  // Alone (serial tests run first), so that the other tests' threads do not share its cores.
  test.serial(title('answers within its time limit, and says when the limit cut the search short'), async (t) => {
    const timeLimitMs = 300;
    const problem = problemOfShape({
      metric: metrics[0]!,
      stops: 3_000,
      vehicles: 150,
      capacityKg: 300,
      demandKg: [1, 20],
      closesWithin: [120, 600],
      seed: 8,
      search: { seed: 1, timeLimitMs },
    });
    // One optimizer, warmed by a small call first: a thread's or a connection's first start is not the limit's.
    const optimizer = contract.optimizer();
    planned(
      await optimizer.optimize(
        problemOfShape({ metric: metrics[0]!, stops: 1, vehicles: 1, capacityKg: 10, demandKg: [1, 1], seed: 9, search }),
      ),
    );
    const began = performance.now();
    const plan = planned(await optimizer.optimize(problem));
    const took = performance.now() - began;
    t.true(took <= timeLimitMs + answerMarginMs, `answered after ${Math.round(took)} ms, the limit is ${timeLimitMs} ms`);
    t.true(plan.search.cutByTimeLimit, 'a search that would take seconds was cut short by 300 ms');
    t.deepEqual(planViolations(problem, plan, tolerance), []);
    t.true(
      plan.unassigned.every((u) => u.reason === 'out-of-time' || u.reason === 'no-room' || u.reason === 'unreachable-in-window'),
      'stops it had no time for are unassigned with a reason',
    );
  });

  test(title('any problem gets a plan that keeps every rule (random problems)'), async (t) => {
    await fc.assert(
      fc.asyncProperty(arbitraryShape(metrics), async (shape) => {
        const problem = problemOfShape(shape);
        const plan = planned(await optimize(problem));
        const violations = planViolations(problem, plan, tolerance);
        if (violations.length > 0) throw new Error(violations.join('\n'));
      }),
      { numRuns: contract.propertyRuns ?? 20 },
    );
    t.pass();
  });
};

/** Registers the suite as skipped with a title that says plainly why it was not run. */
export const routeOptimizerContractNotRun = (test: TestFn, name: string, reason: string): void => {
  test.skip(`${name} route optimizer contract — NOT RUN: ${reason}`, () => {});
};
