// The `optimize` activity: what the saga asks of a RouteOptimizer, and how it reads the answer.
//
// The problem is the RouteOptimizer port's geographic problem (domain/kernel's route-optimizer.ts, issue 13),
// built from the window and the vehicles it reserved: one stop per parcel, its weight, its SLA deadline as
// the window that closes, a service time, the start of the dispatch window (or now, if later), a seed taken
// from the window id (the same window plans the same way), and a time limit. The plan is read tolerantly:
// only what the saga uses is decoded (a route's vehicle and stop order, its distance and load; each stop
// left out, with why), and then checked against the problem, since an activity's answer is input like any.
import { type GeoPoint, type IsoDateTime } from '@meridian/kernel';
import { maxStopsPerRoute } from '@meridian/route';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { WindowParcel } from './values.ts';

export const optimizeActivity = 'optimize';

/** Urban delivery: 30 km/h on average between stops. */
export const travelSpeedKmh = 30;

export type OptimizeVehicle = { readonly vehicleId: string; readonly capacityKg: number };

/** The port's `GeographicProblem`, as plain data (see the header). */
export type OptimizeProblem = {
  readonly metric: 'great-circle';
  readonly speedKmh: number;
  readonly depot: GeoPoint;
  readonly startAt: string;
  readonly vehicles: readonly OptimizeVehicle[];
  readonly stops: readonly {
    readonly stopId: string;
    readonly location: GeoPoint;
    readonly demandKg: number;
    readonly serviceSeconds: number;
    readonly window: { readonly closesAt: string };
  }[];
  readonly search: { readonly seed: number; readonly timeLimitMs: number };
};

/** FNV-1a over the window id: a seed of 32 bits, the same for the same window. */
export const seedOf = (windowId: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < windowId.length; i++) hash = Math.imul(hash ^ windowId.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
};

export type ProblemInput = {
  readonly windowId: string;
  readonly depot: GeoPoint;
  readonly startAt: IsoDateTime | string;
  readonly parcels: readonly WindowParcel[];
  readonly vehicles: readonly OptimizeVehicle[];
  readonly serviceSeconds: number;
  readonly optimizerSeconds: number;
};

export const problemOf = (input: ProblemInput): OptimizeProblem => ({
  metric: 'great-circle',
  speedKmh: travelSpeedKmh,
  depot: input.depot,
  startAt: input.startAt,
  vehicles: input.vehicles,
  stops: input.parcels.map((parcel) => ({
    stopId: parcel.parcelId,
    location: parcel.location,
    demandKg: parcel.weightKg,
    serviceSeconds: input.serviceSeconds,
    window: { closesAt: parcel.slaDeadline },
  })),
  search: { seed: seedOf(input.windowId), timeLimitMs: input.optimizerSeconds * 1000 },
});

// ---- Reading the plan ----

const PlannedStop = t.type({ stopId: t.string });
const PlannedRoute = t.type({ vehicleId: t.string, stops: t.readonlyArray(PlannedStop), distance: t.number, loadKg: t.number });
const UnassignedStop = t.type({ stopId: t.string, reason: t.string, detail: t.string });
const PlanAnswer = t.type({
  routes: t.readonlyArray(PlannedRoute),
  unassigned: t.readonlyArray(UnassignedStop),
  distance: t.number,
  search: t.type({ optimizer: t.string }),
});

/** A route of the plan, as the saga keeps it: its vehicle, its parcels in visiting order, its distance (metres). */
export type PlanRoute = { readonly vehicleId: string; readonly parcelIds: readonly string[]; readonly distanceMetres: number };
export type LeftOut = { readonly parcelId: string; readonly reason: string };
export type Plan = {
  readonly routes: readonly PlanRoute[];
  readonly leftOut: readonly LeftOut[];
  readonly distanceMetres: number;
  readonly optimizer: string;
};

/** Why a plan cannot be used, naming the first thing wrong with it. */
const planProblem = (plan: t.TypeOf<typeof PlanAnswer>, problem: OptimizeProblem): string | undefined => {
  const capacity = new Map(problem.vehicles.map((vehicle) => [vehicle.vehicleId, vehicle.capacityKg]));
  const weight = new Map(problem.stops.map((stop) => [stop.stopId, stop.demandKg]));
  const seen = new Set<string>();
  const once = (stopId: string): string | undefined => {
    if (!weight.has(stopId)) return `stop ${stopId} is not in the problem`;
    if (seen.has(stopId)) return `stop ${stopId} is planned twice`;
    seen.add(stopId);
    return undefined;
  };
  const vehicles = new Set<string>();
  for (const route of plan.routes) {
    const capacityKg = capacity.get(route.vehicleId);
    if (capacityKg === undefined) return `vehicle ${route.vehicleId} is not one of the problem's`;
    if (vehicles.has(route.vehicleId)) return `vehicle ${route.vehicleId} has two routes`;
    vehicles.add(route.vehicleId);
    const problemOfStops = route.stops.map((stop) => once(stop.stopId)).find((p) => p !== undefined);
    if (problemOfStops !== undefined) return problemOfStops;
    const load = route.stops.reduce((sum, stop) => sum + (weight.get(stop.stopId) ?? 0), 0);
    if (load > capacityKg + 1e-9) return `vehicle ${route.vehicleId} would carry ${load} kg, over its ${capacityKg} kg`;
  }
  const problemOfLeftOut = plan.unassigned.map((stop) => once(stop.stopId)).find((p) => p !== undefined);
  if (problemOfLeftOut !== undefined) return problemOfLeftOut;
  const missing = problem.stops.find((stop) => !seen.has(stop.stopId));
  return missing === undefined ? undefined : `stop ${missing.stopId} is neither planned nor left out`;
};

/**
 * The optimizer's answer as a plan the saga can carry out, or why not: it must decode, route only the
 * problem's vehicles (each once, within capacity), and account for every stop exactly once. A route longer
 * than a route may be (200 stops) keeps its first stops; the rest are left out, saying so.
 */
export const readPlan = (answer: unknown, problem: OptimizeProblem): E.Either<string, Plan> => {
  const decoded = PlanAnswer.decode(answer);
  if (E.isLeft(decoded)) return E.left('the optimizer answered something that is not a plan');
  const plan = decoded.right;
  const problemWithPlan = planProblem(plan, problem);
  if (problemWithPlan !== undefined) return E.left(`the optimizer's plan is unusable: ${problemWithPlan}`);
  const routes = plan.routes
    .filter((route) => route.stops.length > 0)
    .map((route) => ({
      vehicleId: route.vehicleId,
      parcelIds: route.stops.slice(0, maxStopsPerRoute).map((stop) => stop.stopId),
      distanceMetres: route.distance,
    }));
  const tooLong = plan.routes.flatMap((route) =>
    route.stops.slice(maxStopsPerRoute).map((stop) => ({ parcelId: stop.stopId, reason: 'route-too-long' })),
  );
  return E.right({
    routes,
    leftOut: [...plan.unassigned.map((stop) => ({ parcelId: stop.stopId, reason: stop.reason })), ...tooLong],
    distanceMetres: plan.distance,
    optimizer: plan.search.optimizer,
  });
};
