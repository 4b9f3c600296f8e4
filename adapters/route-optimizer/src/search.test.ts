// The search itself, on the calling thread: each stage improves on the one before, the effort and the
// clock each stop it, and its thread keeps the caller's event loop free.
import { planViolations, problemOfShape } from '@meridian/kernel/testing';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { createEmbeddedRouteOptimizer } from './optimizer.ts';
import { solve } from './search.ts';

const problem = problemOfShape({
  metric: 'great-circle',
  stops: 120,
  vehicles: 10,
  capacityKg: 150,
  demandKg: [2, 20],
  closesWithin: [150, 420],
  shiftMinutes: 480,
  seed: 21,
  search: { seed: 5, timeLimitMs: 5_000, iterations: 3_000 },
});

test('each stage improves on the one before: savings, then local search, then ruin and recreate', (t) => {
  const construction = solve(problem, { stages: 'construction' });
  const descended = solve(problem, { stages: 'local-search' });
  const full = solve(problem);
  for (const plan of [construction, descended, full]) t.deepEqual(planViolations(problem, plan), []);
  t.deepEqual(
    [construction, descended, full].map((plan) => plan.unassigned.length),
    [0, 0, 0],
  );
  t.true(descended.distance <= construction.distance, `${descended.distance} after local search, ${construction.distance} before`);
  t.true(full.distance < descended.distance, `${full.distance} after the search, ${descended.distance} before`);
  t.is(full.search.iterations, 3_000);
  t.false(full.search.cutByTimeLimit);
});

test('the clock stops a search its effort would not: a plan cut short says so, and keeps every rule', (t) => {
  // A clock that moves 40 ms each time it is read: the 5-second limit passes within the construction.
  let clock = 0;
  const plan = solve({ ...problem, search: { seed: 5, timeLimitMs: 5_000 } }, { now: () => (clock += 40) });
  t.true(plan.search.cutByTimeLimit);
  t.true(clock < 6_000, 'it stopped reading the clock soon after the deadline');
  t.deepEqual(planViolations(problem, plan), []);
});

test('a clock that runs out before the distances are known leaves every stop out, for lack of time', (t) => {
  let clock = 0;
  const plan = solve(problem, { now: () => (clock += 10_000) });
  t.deepEqual(plan.routes, []);
  t.deepEqual(new Set(plan.unassigned.map((u) => u.reason)), new Set(['out-of-time']));
  t.is(plan.unassigned.length, problem.stops.length);
});

test('the search runs on a thread of its own: the caller’s event loop keeps turning meanwhile', async (t) => {
  let ticks = 0;
  const ticking = setInterval(() => ticks++, 20);
  const long = { ...problem, search: { seed: 5, timeLimitMs: 1_500 } };
  const began = Date.now();
  const outcome = await createEmbeddedRouteOptimizer().optimize(long);
  const took = Date.now() - began;
  clearInterval(ticking);
  t.true(E.isRight(outcome));
  t.true(took >= 300, `the search took ${took} ms`);
  // On its own thread the interval fires throughout; on this one it could not fire at all until the end.
  t.true(ticks >= 3, `${ticks} ticks of a 20 ms interval in ${took} ms`);
});
