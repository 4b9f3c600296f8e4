// The `optimize` activity on the RouteOptimizer port: the saga's problem in, the port's plan (or why not) out.
import { problemOf, readPlan } from '@meridian/dispatch';
import { isoDateTime, type RouteOptimizer } from '@meridian/kernel';
import { createEmbeddedRouteOptimizer } from '@meridian/route-optimizer';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { consumerOf, dispatchWindowsProjection } from '@meridian/projections';
import { dispatchActivities, optimizeActivityOn } from './dispatch.ts';
import { allEventTypes } from './events.ts';
import { platformReactions, reactionSubscriptions } from './reactions.ts';

const start = isoDateTime(new Date('2026-11-21T06:00:00Z'));
const problem = problemOf({
  windowId: 'w-1',
  depot: { lat: 52.37, lng: 4.89 } as never,
  startAt: start,
  parcels: [0, 1, 2, 3].map((i) => ({
    parcelId: `p-${i}`,
    location: { lat: 52.37 + i / 100, lng: 4.9 },
    weightKg: 10,
    slaDeadline: isoDateTime(new Date('2026-11-21T12:00:00Z')),
  })) as never,
  vehicles: [
    { vehicleId: 'v-1', capacityKg: 25 },
    { vehicleId: 'v-2', capacityKg: 25 },
  ],
  serviceSeconds: 120,
  optimizerSeconds: 1,
});

test('the saga asks by name for `optimize`, and the plan the embedded optimizer makes is one the saga can carry out', async (t) => {
  const optimize = dispatchActivities(createEmbeddedRouteOptimizer({ thread: 'caller' }))['optimize'];
  if (optimize === undefined) return t.fail('no optimize activity');
  const outcome = await optimize(problem);
  if (!outcome.ok) return t.fail(outcome.error);
  const plan = readPlan(outcome.value, problem);
  t.true(E.isRight(plan), JSON.stringify(plan));
  if (E.isRight(plan)) t.deepEqual(plan.right.routes.flatMap((r) => r.parcelIds).sort(), ['p-0', 'p-1', 'p-2', 'p-3']);
});

test("a problem that is not the port's is a failed outcome naming the field, and the optimizer is not asked", async (t) => {
  let asked = 0;
  const optimizer: RouteOptimizer = {
    name: 'counting',
    optimize: async () => {
      asked++;
      return E.left({ _tag: 'OptimizerUnavailable', message: 'never' });
    },
  };
  const outcome = await optimizeActivityOn(optimizer)({ ...problem, vehicles: [] });
  t.like(outcome, { ok: false });
  t.regex(outcome.ok ? '' : outcome.error, /invalid problem: #\/vehicles/);
  t.is(asked, 0);
});

test('an optimizer that fails is a failed outcome saying why (the saga retries it)', async (t) => {
  const optimizer: RouteOptimizer = {
    name: 'down',
    optimize: async () => E.left({ _tag: 'OptimizerUnavailable', message: 'connection refused' }),
  };
  t.deepEqual(await optimizeActivityOn(optimizer)(problem), { ok: false, error: 'optimizer unavailable: connection refused' });
});

test("the relay publishes every type the dispatch saga and the window's history follow (the window's, the saga's own, its step records)", (t) => {
  const published = new Set(allEventTypes);
  const saga = reactionSubscriptions(platformReactions).find((subscription) => subscription.name === 'dispatch-process');
  t.truthy(saga, 'the dispatch saga is one of the platform reactions');
  for (const consumer of [saga, consumerOf(dispatchWindowsProjection)])
    t.deepEqual(
      consumer?.eventTypes.filter((type) => !published.has(type)),
      [],
      consumer?.name,
    );
  t.true(published.has('window.opened.v1') && published.has('dispatch.step-recorded.v1'));
});
