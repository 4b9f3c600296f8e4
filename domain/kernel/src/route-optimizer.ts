// The RouteOptimizer port: a vehicle routing problem in, a plan (or why there is none) out.
//
// The problem is capacitated (weight), with time windows (an SLA deadline is a window that closes), a
// service time per stop, one depot, a start time and a fleet of vehicles with their capacities. Its
// distances are part of it: `great-circle` for geographic coordinates (metres, travel time at a speed), or
// `rounded-euclidean` for points on a plane (each leg rounded to the nearest integer, as CVRPLIB scores
// its instances). Problem and plan are plain JSON, decoded with the codecs below, because the dispatch
// saga records both in its history. Every adapter passes the contract suite in ./testing.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { arrayOf, decodeWith, GeoPoint, oneOf, struct, tagged, withSchema, type FieldError, type JsonSchema } from './codecs.ts';

// ---- Plain checked values (no brands: a problem is built from data the caller already holds) ----

const checked = <A>(name: string, is: (u: unknown) => u is A, message: string, schema: JsonSchema): t.Type<A, A, unknown> =>
  withSchema(
    new t.Type<A, A, unknown>(
      name,
      is,
      (u, context) => (is(u) ? t.success(u) : t.failure(u, context, message)),
      (a) => a,
    ),
    { ...schema, description: message },
  );

const numberWhere =
  (test: (n: number) => boolean) =>
  (u: unknown): u is number =>
    typeof u === 'number' && Number.isFinite(u) && test(u);

const NonNegative = checked(
  'NonNegative',
  numberWhere((n) => n >= 0),
  'must be a number, 0 or more',
  { type: 'number', minimum: 0 },
);
const Positive = checked(
  'Positive',
  numberWhere((n) => n > 0),
  'must be a number above 0',
  { type: 'number', exclusiveMinimum: 0 },
);
const Finite = checked(
  'Finite',
  numberWhere(() => true),
  'must be a finite number',
  { type: 'number' },
);
const Seed = checked(
  'Seed',
  numberWhere((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff),
  'must be a whole number from 0 to 4294967295',
  {
    type: 'integer',
    minimum: 0,
    maximum: 0xffff_ffff,
  },
);
/** Ten minutes: a longer search belongs in a batch job, not in a dispatch step. */
export const maxTimeLimitMs = 600_000;
const TimeLimit = checked(
  'TimeLimitMs',
  numberWhere((n) => Number.isInteger(n) && n >= 1 && n <= maxTimeLimitMs),
  `must be a whole number of milliseconds from 1 to ${maxTimeLimitMs}`,
  { type: 'integer', minimum: 1, maximum: maxTimeLimitMs },
);
const Iterations = checked(
  'Iterations',
  numberWhere((n) => Number.isInteger(n) && n >= 1),
  'must be a whole number, 1 or more',
  {
    type: 'integer',
    minimum: 1,
  },
);
const ServiceSeconds = checked(
  'ServiceSeconds',
  numberWhere((n) => n >= 0 && n <= 86_400),
  'must be a number of seconds from 0 to 86400',
  { type: 'number', minimum: 0, maximum: 86_400 },
);

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const Id = checked(
  'Id',
  (u): u is string => typeof u === 'string' && idPattern.test(u),
  'must be an identifier: 1-64 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
  { type: 'string', pattern: idPattern.source },
);
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const Timestamp = checked(
  'Timestamp',
  (u): u is string => typeof u === 'string' && timestampPattern.test(u) && !Number.isNaN(Date.parse(u)),
  'must be an RFC 3339 date-time with an offset, for example 2026-11-21T09:30:00Z',
  { type: 'string', format: 'date-time' },
);

// ---- The problem ----

/** A point on a plane, for `rounded-euclidean` problems (CVRPLIB's EUC_2D). */
export const PlanePoint = struct('PlanePoint', { x: Finite, y: Finite });
export type PlanePoint = t.TypeOf<typeof PlanePoint>;

/** When service at a stop may start: not before `opensAt`, not after `closesAt` (an SLA deadline). Either may be absent. */
export const TimeWindow = struct('TimeWindow', {}, { opensAt: Timestamp, closesAt: Timestamp });
export type TimeWindow = t.TypeOf<typeof TimeWindow>;

export const VehicleToRoute = struct(
  'VehicleToRoute',
  { vehicleId: Id, capacityKg: Positive },
  {
    /** The latest time it may be back at the depot (its shift's end); no limit when absent. */
    returnBy: Timestamp,
    /** The most stops its route may have (a route's own limit); no limit when absent. */
    maxStops: Iterations,
  },
);
export type VehicleToRoute = t.TypeOf<typeof VehicleToRoute>;

const stopCodec = <L extends t.Mixed>(name: string, location: L) =>
  struct(name, { stopId: Id, location, demandKg: NonNegative, serviceSeconds: ServiceSeconds }, { window: TimeWindow });

export const GeographicStop = stopCodec('GeographicStop', GeoPoint);
export const PlanarStop = stopCodec('PlanarStop', PlanePoint);
export type StopToVisit = t.TypeOf<typeof GeographicStop> | t.TypeOf<typeof PlanarStop>;

export const SearchSettings = struct(
  'SearchSettings',
  {
    /** The same seed (and the same problem) gives the same plan, unless the time limit cut the search short. */
    seed: Seed,
    /** The most the whole call may take; also what sets the embedded optimizer's effort (docs/dispatch.md). */
    timeLimitMs: TimeLimit,
  },
  {
    /** A cap on the search's improvement iterations, for a quick answer to a small problem. */
    iterations: Iterations,
  },
);
export type SearchSettings = t.TypeOf<typeof SearchSettings>;

/** The most stops and vehicles one problem may hold (the embedded optimizer keeps a full distance matrix). */
export const routingLimits = { stops: 4_000, vehicles: 500 } as const;

const problemFields = <S extends t.Mixed, L extends t.Mixed>(stop: S, location: L) => ({
  depot: location,
  /** When the vehicles may leave the depot. Times in the plan are instants from here on. */
  startAt: Timestamp,
  vehicles: arrayOf(VehicleToRoute, { min: 1, max: routingLimits.vehicles }),
  stops: arrayOf(stop, { max: routingLimits.stops }),
  search: SearchSettings,
});

/** Geographic coordinates, great-circle distances in metres, travel at `speedKmh`. */
export const GeographicProblem = struct('GeographicProblem', {
  metric: t.literal('great-circle'),
  speedKmh: Positive,
  ...problemFields(GeographicStop, GeoPoint),
});
export type GeographicProblem = t.TypeOf<typeof GeographicProblem>;

/** Points on a plane, Euclidean distances rounded to the nearest integer per leg, travel at `unitsPerHour`. */
export const PlanarProblem = struct('PlanarProblem', {
  metric: t.literal('rounded-euclidean'),
  unitsPerHour: Positive,
  ...problemFields(PlanarStop, PlanePoint),
});
export type PlanarProblem = t.TypeOf<typeof PlanarProblem>;

export const RoutingProblem = tagged('RoutingProblem', 'metric', { 'great-circle': GeographicProblem, 'rounded-euclidean': PlanarProblem });
export type RoutingProblem = GeographicProblem | PlanarProblem;

/** The rules between fields that a codec cannot hold: ids unique, windows that open before they close, shifts that end after the start. */
export const problemIssues = (problem: RoutingProblem): FieldError[] => {
  const issues: FieldError[] = [];
  const firstAt = new Map<string, number>();
  problem.stops.forEach((stop, index) => {
    const earlier = firstAt.get(stop.stopId);
    if (earlier !== undefined) issues.push({ pointer: `#/stops/${index}/stopId`, detail: `is the same as #/stops/${earlier}/stopId` });
    else firstAt.set(stop.stopId, index);
    const { opensAt, closesAt } = stop.window ?? {};
    if (opensAt !== undefined && closesAt !== undefined && Date.parse(opensAt) > Date.parse(closesAt))
      issues.push({ pointer: `#/stops/${index}/window`, detail: 'must open (opensAt) no later than it closes (closesAt)' });
  });
  const vehicleAt = new Map<string, number>();
  const start = Date.parse(problem.startAt);
  problem.vehicles.forEach((vehicle, index) => {
    const earlier = vehicleAt.get(vehicle.vehicleId);
    if (earlier !== undefined)
      issues.push({ pointer: `#/vehicles/${index}/vehicleId`, detail: `is the same as #/vehicles/${earlier}/vehicleId` });
    else vehicleAt.set(vehicle.vehicleId, index);
    if (vehicle.returnBy !== undefined && Date.parse(vehicle.returnBy) < start)
      issues.push({ pointer: `#/vehicles/${index}/returnBy`, detail: 'must not be before startAt' });
  });
  return issues;
};

/** Decodes a problem from JSON (an activity's input, a request body) and checks the rules between its fields. */
export const decodeRoutingProblem = (u: unknown): E.Either<FieldError[], RoutingProblem> =>
  E.chain((problem: RoutingProblem) => {
    const issues = problemIssues(problem);
    return issues.length > 0 ? E.left(issues) : E.right(problem);
  })(decodeWith(RoutingProblem)(u));

// ---- The plan ----

export const PlannedStop = struct('PlannedStop', {
  stopId: Id,
  arrivesAt: Timestamp,
  /** Later than the arrival when the vehicle waits for the window to open. */
  startsAt: Timestamp,
  departsAt: Timestamp,
});
export type PlannedStop = t.TypeOf<typeof PlannedStop>;

export const PlannedRoute = struct('PlannedRoute', {
  vehicleId: Id,
  departsAt: Timestamp,
  stops: arrayOf(PlannedStop, { min: 1, max: routingLimits.stops }),
  returnsAt: Timestamp,
  /** In the problem's distance unit (metres, or the plane's units), depot to depot. */
  distance: NonNegative,
  loadKg: NonNegative,
});
export type PlannedRoute = t.TypeOf<typeof PlannedRoute>;

export const unassignedReasons = [
  /** Heavier than the largest vehicle's capacity. */
  'exceeds-capacity',
  /** No vehicle can reach it within its window (or be back by the end of its shift), even on a route of its own. */
  'unreachable-in-window',
  /** It fits a vehicle alone, but no route had room for it (capacity or time) beside the stops it kept. */
  'no-room',
  /** The time limit ran out before it was placed. */
  'out-of-time',
] as const;
export type UnassignedReason = (typeof unassignedReasons)[number];

export const UnassignedStop = struct('UnassignedStop', {
  stopId: Id,
  reason: oneOf('UnassignedReason', unassignedReasons),
  /** For people: what made it so, in a sentence. */
  detail: t.string,
});
export type UnassignedStop = t.TypeOf<typeof UnassignedStop>;

export const SearchReport = struct(
  'SearchReport',
  {
    /** Which optimizer made the plan (`embedded`, `google-route-optimization`). */
    optimizer: t.string,
    /** The time limit stopped the search before its effort was spent: the same seed may then give another plan. */
    cutByTimeLimit: t.boolean,
  },
  { seed: Seed, iterations: NonNegative },
);
export type SearchReport = t.TypeOf<typeof SearchReport>;

/** Routes per vehicle (only vehicles that have stops), and every stop that is on none of them, with why. */
export const RoutePlan = struct('RoutePlan', {
  routes: arrayOf(PlannedRoute, { max: routingLimits.vehicles }),
  unassigned: arrayOf(UnassignedStop, { max: routingLimits.stops }),
  /** The sum of the routes' distances. */
  distance: NonNegative,
  distanceUnit: oneOf('DistanceUnit', ['metres', 'units']),
  search: SearchReport,
});
export type RoutePlan = t.TypeOf<typeof RoutePlan>;

export const distanceUnitOf = (problem: RoutingProblem): RoutePlan['distanceUnit'] =>
  problem.metric === 'great-circle' ? 'metres' : 'units';

// ---- The metrics: what every optimizer measures a plan by ----

const earthRadiusMetres = 6_371_008.8;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle metres between two geographic points (the haversine formula, on the mean Earth radius). */
export const greatCircleMetres = (
  a: { readonly lat: number; readonly lng: number },
  b: { readonly lat: number; readonly lng: number },
): number => {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * earthRadiusMetres * Math.asin(Math.min(1, Math.sqrt(h)));
};

/** CVRPLIB's EUC_2D: the Euclidean distance rounded to the nearest integer. */
export const roundedEuclidean = (a: { readonly x: number; readonly y: number }, b: { readonly x: number; readonly y: number }): number =>
  Math.round(Math.hypot(a.x - b.x, a.y - b.y));

/** Seconds of travel per unit of the problem's distance. */
export const secondsPerDistanceUnit = (problem: RoutingProblem): number =>
  problem.metric === 'great-circle' ? 3.6 / problem.speedKmh : 3600 / problem.unitsPerHour;

/** The problem's places, depot first, then its stops in order, with the distance between any two of them. */
export const placesOf = (problem: RoutingProblem): { readonly count: number; readonly distance: (i: number, j: number) => number } => {
  if (problem.metric === 'great-circle') {
    const points = [problem.depot, ...problem.stops.map((stop) => stop.location)];
    return { count: points.length, distance: (i, j) => greatCircleMetres(points[i]!, points[j]!) };
  }
  const points = [problem.depot, ...problem.stops.map((stop) => stop.location)];
  return { count: points.length, distance: (i, j) => roundedEuclidean(points[i]!, points[j]!) };
};

// ---- Failure, and the port ----

/**
 * Why there is no plan. An invalid problem is permanent (asking again cannot help); an optimizer that could
 * not be reached or answered in time is transient (retry with backoff); one that refused the request
 * (credentials, quota, a problem it cannot model) is permanent.
 */
export type OptimizerFailure =
  | { readonly _tag: 'InvalidProblem'; readonly errors: readonly FieldError[] }
  | { readonly _tag: 'OptimizerUnavailable'; readonly message: string }
  | { readonly _tag: 'OptimizerRefused'; readonly message: string };

export const isTransientOptimizerFailure = (failure: OptimizerFailure): boolean => failure._tag === 'OptimizerUnavailable';

/** One line for logs and a process manager's activity outcome. */
export const describeOptimizerFailure = (failure: OptimizerFailure): string => {
  switch (failure._tag) {
    case 'InvalidProblem':
      return `invalid problem: ${failure.errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`;
    case 'OptimizerUnavailable':
      return `optimizer unavailable: ${failure.message}`;
    case 'OptimizerRefused':
      return `optimizer refused: ${failure.message}`;
  }
};

export type RouteOptimizer = {
  /** `embedded`, `google-route-optimization`: it names the plans it makes (`search.optimizer`). */
  readonly name: string;
  readonly optimize: (problem: RoutingProblem) => Promise<E.Either<OptimizerFailure, RoutePlan>>;
};
