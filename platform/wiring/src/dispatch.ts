// The dispatch saga's activities bound to their ports: `optimize` asks a RouteOptimizer for a plan. The
// saga's problem is decoded as the port's (an activity's input is input like any), and every failure is an
// outcome the saga answers (it retries with backoff, then gives the window up), never a thrown error.
import { optimizeActivity as optimizeActivityName } from '@meridian/dispatch';
import { decodeRoutingProblem, describeOptimizerFailure, type RouteOptimizer } from '@meridian/kernel';
import type { Activity } from '@meridian/projections';
import * as E from 'fp-ts/lib/Either.js';

/** The `optimize` activity on a RouteOptimizer: the plan as the outcome's value, or why there is none. */
export const optimizeActivityOn =
  (optimizer: RouteOptimizer): Activity =>
  async (input) => {
    const problem = decodeRoutingProblem(input);
    if (E.isLeft(problem)) return { ok: false, error: describeOptimizerFailure({ _tag: 'InvalidProblem', errors: problem.left }) };
    const plan = await optimizer.optimize(problem.right);
    return E.isRight(plan) ? { ok: true, value: plan.right } : { ok: false, error: describeOptimizerFailure(plan.left) };
  };

/** Every activity the dispatch saga asks for, on the optimizer the process runs with. */
export const dispatchActivities = (optimizer: RouteOptimizer): Readonly<Record<string, Activity>> => ({
  [optimizeActivityName]: optimizeActivityOn(optimizer),
});
