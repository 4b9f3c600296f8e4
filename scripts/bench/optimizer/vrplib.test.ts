import { planViolations } from '@meridian/kernel/testing';
import { solve } from '@meridian/route-optimizer';
import test from 'ava';
import { readFileSync } from 'node:fs';
import { syntheticWave } from './synthetic.ts';
import { parseVrplib, problemOf } from './vrplib.ts';

const read = (name: string) => parseVrplib(readFileSync(new URL(`./cvrplib/${name}.vrp`, import.meta.url), 'utf8'));

test('a CVRPLIB instance reads with its capacity, depot, demands and optimum', (t) => {
  const instance = read('A-n32-k5');
  t.like(instance, { name: 'A-n32-k5', capacity: 100, depot: 1, minVehicles: 5, optimum: 784 });
  t.is(instance.nodes.length, 32);
  t.deepEqual(instance.nodes[0], { id: 1, x: 82, y: 76, demand: 0 });
  t.is(
    instance.nodes.reduce((sum, node) => sum + node.demand, 0),
    410,
  );
  t.like(read('A-n80-k10'), { capacity: 100, minVehicles: 10, optimum: 1763 });
});

test('as a problem: the depot apart, one stop per customer, rounded Euclidean distances, spare vehicles', (t) => {
  const problem = problemOf(read('A-n32-k5'), { seed: 1, timeLimitMs: 1000 });
  t.is(problem.metric, 'rounded-euclidean');
  t.deepEqual(problem.depot, { x: 82, y: 76 });
  t.is(problem.stops.length, 31);
  t.is(problem.vehicles.length, 7);
  t.like(problem.stops[0], { stopId: 'c2', location: { x: 96, y: 44 }, demandKg: 19 });
});

test('the savings baseline plans A-n32-k5 as CVRPLIB scores it: every customer, capacity kept, 842 long', (t) => {
  const problem = problemOf(read('A-n32-k5'), { seed: 1, timeLimitMs: 60_000 });
  const plan = solve(problem, { stages: 'construction' });
  t.deepEqual(planViolations(problem, plan), []);
  t.is(plan.distance, 842);
  t.true(Number.isInteger(plan.distance), 'rounded legs add up to a whole number');
});

test('the synthetic wave is the same for the same seed, and every stop fits some van on its own', (t) => {
  const size = { stops: 300, vans: 15, seed: 3 };
  // A limit far above what the construction takes: on a loaded machine a short one cuts it, leaving stops out of time.
  const search = { seed: 1, timeLimitMs: 120_000 };
  t.deepEqual(syntheticWave(size, search), syntheticWave(size, search));
  const plan = solve(syntheticWave(size, search), { stages: 'construction' });
  t.deepEqual(
    plan.unassigned.filter((u) => u.reason !== 'no-room'),
    [],
  );
});
