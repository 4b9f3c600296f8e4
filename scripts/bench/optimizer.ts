// Benchmark `optimizer` (issue 13): the embedded route optimizer's quality and speed, through its port
// (a thread per call, as the dispatch saga calls it).
// - CVRPLIB A-n32-k5 and A-n80-k10 (optimum 784 and 1763, rounded Euclidean distances): the total distance
//   as a gap to the optimum in percent, averaged over five seeds, next to the plain savings construction;
//   and the slowest of the five answers. Targets: within 3% in at most 2 s.
// - A synthetic 2,000-stop morning wave over 100 vans (geographic, time windows, capacities, shifts): the
//   time to plan it, how many stops it left out, and how far its plan is from a search ten times as long.
import { createEmbeddedRouteOptimizer, solve } from '@meridian/route-optimizer';
import type { RoutePlan, RoutingProblem } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';
import { syntheticWave } from './optimizer/synthetic.ts';
import { parseVrplib, problemOf, type VrplibInstance } from './optimizer/vrplib.ts';

const instance = (name: string): VrplibInstance =>
  parseVrplib(readFileSync(new URL(`./optimizer/cvrplib/${name}.vrp`, import.meta.url), 'utf8'));

const optimizer = createEmbeddedRouteOptimizer();

/**
 * The optimizer's thread is started once per process and kept; in a running platform every call finds it
 * ready. A first small call starts it here, so the figures are the calls' own (the start is logged).
 */
const warmUp = async (context: BenchContext) => {
  const began = performance.now();
  await timed(syntheticWave({ stops: 5, vans: 1, seed: 9 }, { seed: 1, timeLimitMs: 100 }));
  context.log(`the optimizer's thread started and answered a first small call in ${Math.round(performance.now() - began)} ms`);
};

/** One call through the port, timed from the call to the answer. */
const timed = async (problem: RoutingProblem): Promise<{ plan: RoutePlan; ms: number }> => {
  const began = performance.now();
  const outcome = await optimizer.optimize(problem);
  const ms = performance.now() - began;
  if (E.isLeft(outcome)) throw new Error(`the optimizer failed: ${JSON.stringify(outcome.left)}`);
  return { plan: outcome.right, ms };
};

const percentOver = (distance: number, optimum: number) => (distance / optimum - 1) * 100;
const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

const cvrp = async (name: string, seeds: readonly number[], timeLimitMs: number, context: BenchContext): Promise<Measurement[]> => {
  const vrp = instance(name);
  const runs = [];
  for (const seed of seeds) runs.push(await timed(problemOf(vrp, { seed, timeLimitMs })));
  const baseline = solve(problemOf(vrp, { seed: 1, timeLimitMs }), { stages: 'construction' });
  const gaps = runs.map(({ plan }) => percentOver(plan.distance, vrp.optimum));
  const cut = runs.filter(({ plan }) => plan.search.cutByTimeLimit).length;
  const left = runs.reduce((sum, { plan }) => sum + plan.unassigned.length, 0);
  if (left > 0) throw new Error(`${name}: ${left} customers left out`);
  context.log(
    `${name}: distances ${runs.map(({ plan }) => plan.distance).join(', ')} (optimum ${vrp.optimum}); savings ${baseline.distance}; ` +
      `${runs.map(({ ms }) => Math.round(ms)).join(', ')} ms; ${runs.map(({ plan }) => plan.search.iterations).join(', ')} iterations; ${cut} cut by the limit`,
  );
  const setting = `${vrp.nodes.length - 1} customers, capacity ${vrp.capacity}, ${vrp.minVehicles + 2} vehicles offered (${vrp.minVehicles} needed), rounded Euclidean distances, time limit ${timeLimitMs} ms per call`;
  return [
    {
      name: `optimizer.${name}.gap`,
      unit: '%',
      value: mean(gaps),
      better: 'lower',
      target: { value: 3 },
      description: `${name}: total distance over the optimum (${vrp.optimum}), in percent, the mean over seeds ${seeds.join(', ')} (each: ${gaps.map((g) => g.toFixed(2)).join(', ')}); ${setting}; savings, local search, then ruin and recreate on the optimizer's thread.`,
    },
    {
      name: `optimizer.${name}.savings-gap`,
      unit: '%',
      value: percentOver(baseline.distance, vrp.optimum),
      better: 'lower',
      description: `${name}: the baseline, the plain Clarke-Wright savings construction (parallel, λ = 1) alone: distance ${baseline.distance} over the optimum ${vrp.optimum}, in percent.`,
    },
    {
      name: `optimizer.${name}.ms`,
      unit: 'ms',
      value: Math.max(...runs.map(({ ms }) => ms)),
      better: 'lower',
      target: { value: 2_000 },
      description: `${name}: the slowest of the ${seeds.length} calls through the port, from the call to the plan (the problem's hand-over to the optimizer's thread and the plan's back included; the thread itself started by an earlier call); ${setting}.`,
    },
  ];
};

const wave = async (stops: number, vans: number, timeLimitMs: number, context: BenchContext): Promise<Measurement[]> => {
  const size = { stops, vans, seed: 1 };
  const search = { seed: 1, timeLimitMs };
  const { plan, ms } = await timed(syntheticWave(size, search));
  const baseline = solve(syntheticWave(size, search), { stages: 'construction' });
  const label = `wave-${stops}`;
  const setting = `${stops} stops over Amsterdam, ${vans} vans of 600-1,000 kg from one depot, 07:00-13:00 shifts, SLA deadlines at 09:30, 11:00 or 12:30, a tenth opening at 09:00, 2-4 min per stop, 25 km/h great-circle`;
  context.log(
    `${label}: ${(plan.distance / 1000).toFixed(1)} km on ${plan.routes.length} vans, ${plan.unassigned.length} left out, ${Math.round(ms)} ms, ${plan.search.iterations} iterations${plan.search.cutByTimeLimit ? ', cut by the limit' : ''}; savings ${(baseline.distance / 1000).toFixed(1)} km`,
  );
  const measurements: Measurement[] = [
    {
      name: `optimizer.${label}.ms`,
      unit: 'ms',
      value: ms,
      better: 'lower',
      description: `A synthetic morning wave (${setting}): the call through the port, time limit ${timeLimitMs} ms, from the call to the plan (the problem's hand-over to the optimizer's thread included); the saga's wave target is 10 s end to end, so this is the optimizer's share of it.`,
    },
    {
      name: `optimizer.${label}.km`,
      unit: 'km',
      value: plan.distance / 1000,
      better: 'lower',
      comparedTo: `optimizer.${label}.savings-km`,
      description: `The wave's total distance as planned within ${timeLimitMs} ms (${plan.routes.length} vans used, ${plan.search.iterations} ruin-and-recreate iterations), against the savings construction alone.`,
    },
    {
      name: `optimizer.${label}.savings-km`,
      unit: 'km',
      value: baseline.distance / 1000,
      better: 'lower',
      description: `The wave's total distance by the plain savings construction alone (${baseline.routes.length} vans).`,
    },
    {
      name: `optimizer.${label}.unassigned`,
      unit: 'stops',
      value: plan.unassigned.length,
      better: 'lower',
      description: `Stops of the wave left out of the plan (every stop fits some van in time on its own; this wave has room for all).`,
    },
  ];
  if (context.quick) return measurements;
  // How much the time limit costs: the same wave searched ten times as long.
  const long = solve(syntheticWave(size, { seed: 1, timeLimitMs: timeLimitMs * 10 }));
  context.log(`${label}: ${(long.distance / 1000).toFixed(1)} km after a search ten times as long`);
  return [
    ...measurements,
    {
      name: `optimizer.${label}.over-long-search`,
      unit: '%',
      value: percentOver(plan.distance, long.distance),
      better: 'lower',
      description: `How much longer the wave's plan within ${timeLimitMs} ms is than the same seed's after a search of ${(timeLimitMs * 10) / 1000} s (${(long.distance / 1000).toFixed(1)} km): what the time limit costs.`,
    },
  ];
};

const run = async (context: BenchContext): Promise<Measurement[]> => {
  await warmUp(context);
  return context.quick
    ? [...(await cvrp('A-n32-k5', [1], 500, context)), ...(await wave(200, 10, 1_000, context))]
    : [
        ...(await cvrp('A-n32-k5', [1, 2, 3, 4, 5], 1_500, context)),
        ...(await cvrp('A-n80-k10', [1, 2, 3, 4, 5], 1_500, context)),
        ...(await wave(2_000, 100, 4_000, context)),
      ];
};

export const benchmarks: Benchmark[] = [{ name: 'optimizer', run }];
