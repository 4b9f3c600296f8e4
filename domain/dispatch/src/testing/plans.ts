// Answers of the `optimize` activity for tests, in the RouteOptimizer port's plan shape: a plain greedy
// plan (first fit, in the problem's order), and failures. Tests of the saga need a plan, not a good one.
import type { ActivityOutcome } from '@meridian/kernel';
import type { OptimizeProblem } from '../optimize.ts';

type Stop = OptimizeProblem['stops'][number];

/** A plan as the port answers it: routes with their stops and times, the stops left out with why. */
export const planAnswer = (
  problem: OptimizeProblem,
  routes: readonly { readonly vehicleId: string; readonly stopIds: readonly string[] }[],
  unassigned: readonly { readonly stopId: string; readonly reason: string }[] = [],
) => {
  const weight = new Map(problem.stops.map((stop) => [stop.stopId, stop.demandKg]));
  const planned = routes
    .filter((route) => route.stopIds.length > 0)
    .map((route) => ({
      vehicleId: route.vehicleId,
      departsAt: problem.startAt,
      stops: route.stopIds.map((stopId) => ({ stopId, arrivesAt: problem.startAt, startsAt: problem.startAt, departsAt: problem.startAt })),
      returnsAt: problem.startAt,
      distance: 1000 * route.stopIds.length,
      loadKg: route.stopIds.reduce((sum, stopId) => sum + (weight.get(stopId) ?? 0), 0),
    }));
  return {
    routes: planned,
    unassigned: unassigned.map((stop) => ({ ...stop, detail: `left out: ${stop.reason}` })),
    distance: planned.reduce((sum, route) => sum + route.distance, 0),
    distanceUnit: 'metres',
    search: { optimizer: 'test-greedy', cutByTimeLimit: false, seed: problem.search.seed },
  };
};

/** First fit in the problem's order: each stop on the first vehicle with room, or left out if none has. */
export const greedyPlan = (problem: OptimizeProblem) => {
  const room = new Map(problem.vehicles.map((vehicle) => [vehicle.vehicleId, vehicle.capacityKg]));
  const routes = new Map<string, string[]>(problem.vehicles.map((vehicle) => [vehicle.vehicleId, []]));
  const unassigned: { stopId: string; reason: string }[] = [];
  const place = (stop: Stop) => {
    const vehicle = problem.vehicles.find((candidate) => (room.get(candidate.vehicleId) ?? 0) >= stop.demandKg);
    if (vehicle === undefined) return unassigned.push({ stopId: stop.stopId, reason: 'exceeds-capacity' });
    room.set(vehicle.vehicleId, (room.get(vehicle.vehicleId) ?? 0) - stop.demandKg);
    return routes.get(vehicle.vehicleId)?.push(stop.stopId);
  };
  problem.stops.forEach(place);
  return planAnswer(
    problem,
    [...routes].map(([vehicleId, stopIds]) => ({ vehicleId, stopIds })),
    unassigned,
  );
};

/** The activity's stub: fails the first `failures` attempts, then plans greedily. */
export const optimizerFailing =
  (failures: number) =>
  (input: unknown, attempt: number): ActivityOutcome =>
    attempt <= failures ? { ok: false, error: `optimizer unavailable (attempt ${attempt})` } : { ok: true, value: greedyPlanOf(input) };

const isProblem = (input: unknown): input is OptimizeProblem =>
  typeof input === 'object' && input !== null && 'stops' in input && 'vehicles' in input;

export const greedyPlanOf = (input: unknown) => {
  if (!isProblem(input)) throw new Error('the optimize activity was asked something that is not a problem');
  return greedyPlan(input);
};
