// The embedded optimizer's whole search, on the calling thread: compile the problem, build routes with the
// savings construction, descend with local search, improve with ruin and recreate under simulated
// annealing, polish the best with local search again, and answer the plan.
import { distanceUnitOf, type RoutePlan, type RoutingProblem } from '@meridian/kernel';
import { budgetOf } from './budget.ts';
import { compileInstance } from './instance.ts';
import { localSearch } from './local-search.ts';
import { planOf } from './plan.ts';
import { seededRandom } from './random.ts';
import { defaultSettings, ruinAndRecreate, type RuinRecreateSettings } from './ruin-recreate.ts';
import { savingsConstruction } from './savings.ts';
import { solutionOf, workingFrom } from './solution.ts';

export const optimizerName = 'embedded';

/**
 * Work units per millisecond of time limit: the effort a search spends is its time limit times this, so it
 * is the same on every machine (and the same seed gives the same plan). Set so that on the development
 * machine (docs/performance.md) the effort takes about half the limit, leaving the rest for a busy machine;
 * on a machine too slow for that, the time limit cuts the search and the plan says so.
 */
export const workPerMs = 10_000;

/** Time kept back from the limit for answering (the plan, the thread's message). */
const reserveMs = (timeLimitMs: number) => Math.min(100, timeLimitMs * 0.1);

export type SearchOptions = {
  /** The clock in milliseconds (Date.now by default); the deadline is on it. */
  readonly now?: () => number;
  /** When the call began on that clock (so a worker thread's start-up counts against the limit). */
  readonly startedAt?: number;
  /** How far to go: the full search (default), or the savings construction alone (the benchmark's baseline). */
  readonly stages?: 'construction' | 'local-search' | 'full';
  readonly settings?: RuinRecreateSettings;
};

/** The answer when the time ran out before the problem was even compiled: every stop left out, for lack of time. */
const outOfTimePlan = (problem: RoutingProblem, seed: number): RoutePlan => ({
  routes: [],
  unassigned: problem.stops.map((stop) => ({
    stopId: stop.stopId,
    reason: 'out-of-time',
    detail: 'the time limit ran out before it was placed',
  })),
  distance: 0,
  distanceUnit: distanceUnitOf(problem),
  search: { optimizer: optimizerName, cutByTimeLimit: true, seed, iterations: 0 },
});

export const solve = (problem: RoutingProblem, options: SearchOptions = {}): RoutePlan => {
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  const { seed, timeLimitMs, iterations } = problem.search;
  const deadlineMs = startedAt + timeLimitMs - reserveMs(timeLimitMs);
  const budget = budgetOf({ work: timeLimitMs * workPerMs, deadlineMs, now });
  const instance = compileInstance(problem, budget.outOfTime);
  if (instance === undefined) return outOfTimePlan(problem, seed);
  const construction = savingsConstruction(instance, budget);
  const report = (searchIterations: number) => ({
    optimizer: optimizerName,
    cutByTimeLimit: budget.wasCut(),
    seed,
    iterations: searchIterations,
  });
  const outOfTime = new Set(construction.outOfTime);
  if (options.stages === 'construction') return planOf(problem, instance, construction.solution, report(0), outOfTime);
  const working = workingFrom(instance, construction.solution);
  localSearch(working, budget);
  if (options.stages === 'local-search') return planOf(problem, instance, solutionOf(working), report(0), outOfTime);
  const outcome = ruinAndRecreate(working, budget, seededRandom(seed), {
    settings: options.settings ?? defaultSettings,
    ...(iterations !== undefined && { maxIterations: iterations }),
  });
  // The polish gets a small effort of its own: the search's is spent by now.
  const polish = budgetOf({ work: timeLimitMs * workPerMs * 0.02, deadlineMs, now });
  localSearch(working, polish);
  // A stop the construction had no time for was tried again by every iteration of the search, if any ran.
  const stillOutOfTime = outcome.iterations > 0 ? new Set<number>() : outOfTime;
  const search = { ...report(outcome.iterations), cutByTimeLimit: budget.wasCut() || polish.wasCut() };
  return planOf(problem, instance, solutionOf(working), search, stillOutOfTime);
};
