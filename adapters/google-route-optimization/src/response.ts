// Google's OptimizeToursResponse as the port's plan. Only the fields the plan needs are read, and they are
// decoded, not trusted: proto3 JSON leaves out every field at its default (a vehicleIndex or shipmentIndex
// of 0, an empty list), so each one is optional here. A stop the answer neither visits nor skips is still
// reported (never dropped); a stop it visits twice makes the answer unusable.
// https://developers.google.com/maps/documentation/route-optimization/reference/rest/v1/OptimizeToursResponse
import { distanceUnitOf, type GeographicProblem, type PlannedRoute, type RoutePlan, type UnassignedStop } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

const Visit = t.partial({ shipmentIndex: t.number, isPickup: t.boolean, startTime: t.string });
const Transition = t.partial({ travelDistanceMeters: t.number, waitDuration: t.string });
const ShipmentRoute = t.partial({
  vehicleIndex: t.number,
  vehicleStartTime: t.string,
  vehicleEndTime: t.string,
  visits: t.array(Visit),
  transitions: t.array(Transition),
});
const SkippedShipment = t.partial({
  index: t.number,
  reasons: t.array(t.partial({ code: t.string })),
});
export const OptimizeToursResponse = t.partial({ routes: t.array(ShipmentRoute), skippedShipments: t.array(SkippedShipment) });
export type OptimizeToursResponse = t.TypeOf<typeof OptimizeToursResponse>;

export const googleOptimizerName = 'google-route-optimization';

/** "12.5s" → 12.5 (a protobuf Duration in JSON; absent is 0); undefined when it is not one. */
const durationSeconds = (duration: string | undefined): number | undefined => {
  if (duration === undefined) return 0;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration);
  return match === null ? undefined : Number(match[1]);
};

const timeCodes = new Set([
  'CANNOT_BE_PERFORMED_WITHIN_VEHICLE_TIME_WINDOWS',
  'CANNOT_BE_PERFORMED_WITHIN_VEHICLE_DURATION_LIMIT',
  'CANNOT_BE_PERFORMED_WITHIN_VEHICLE_TRAVEL_DURATION_LIMIT',
  'CANNOT_BE_PERFORMED_WITHIN_VEHICLE_DISTANCE_LIMIT',
]);

/** The port's reason for a skipped shipment, from Google's codes (one per kind of vehicle that cannot take it). */
const reasonOf = (codes: readonly string[]): UnassignedStop['reason'] => {
  if (codes.length > 0 && codes.every((code) => code === 'DEMAND_EXCEEDS_VEHICLE_CAPACITY')) return 'exceeds-capacity';
  if (codes.length > 0 && codes.every((code) => timeCodes.has(code))) return 'unreachable-in-window';
  return 'no-room';
};

const instant = (ms: number) => new Date(ms).toISOString();

/** The plan, or why the answer cannot be one. */
export const planFromResponse = (problem: GeographicProblem, json: unknown): E.Either<string, RoutePlan> => {
  const decoded = OptimizeToursResponse.decode(json);
  if (E.isLeft(decoded)) return E.left('the answer is not an OptimizeToursResponse');
  const response = decoded.right;
  const seen = new Map<number, string>();
  const routes: PlannedRoute[] = [];
  for (const route of response.routes ?? []) {
    const visits = route.visits ?? [];
    if (visits.length === 0) continue;
    const vehicle = problem.vehicles[route.vehicleIndex ?? 0];
    if (vehicle === undefined) return E.left(`the answer names vehicle ${route.vehicleIndex}, which the problem does not have`);
    const departs = Date.parse(route.vehicleStartTime ?? '');
    const returns = Date.parse(route.vehicleEndTime ?? '');
    if (Number.isNaN(departs) || Number.isNaN(returns)) return E.left(`the route of ${vehicle.vehicleId} has no start or end time`);
    const stops = [];
    let loadKg = 0;
    for (const [k, visit] of visits.entries()) {
      const index = visit.shipmentIndex ?? 0;
      const stop = problem.stops[index];
      if (stop === undefined || visit.startTime === undefined)
        return E.left(`a visit of ${vehicle.vehicleId} names no stop of the problem, or no time`);
      const earlier = seen.get(index);
      if (earlier !== undefined) return E.left(`the answer visits ${stop.stopId} twice (${earlier} and ${vehicle.vehicleId})`);
      seen.set(index, vehicle.vehicleId);
      const starts = Date.parse(visit.startTime);
      const wait = durationSeconds(route.transitions?.[k]?.waitDuration);
      if (wait === undefined || Number.isNaN(starts)) return E.left(`the visit of ${stop.stopId} has a time or a wait that does not read`);
      stops.push({
        stopId: stop.stopId,
        arrivesAt: instant(starts - wait * 1000),
        startsAt: instant(starts),
        departsAt: instant(starts + stop.serviceSeconds * 1000),
      });
      loadKg += stop.demandKg;
    }
    const distance = (route.transitions ?? []).reduce((sum, leg) => sum + (leg.travelDistanceMeters ?? 0), 0);
    routes.push({
      vehicleId: vehicle.vehicleId,
      departsAt: instant(departs),
      stops,
      returnsAt: instant(returns),
      distance,
      loadKg,
    });
  }
  const skipped = new Map(
    (response.skippedShipments ?? []).map((s) => [s.index ?? 0, (s.reasons ?? []).flatMap((r) => (r.code === undefined ? [] : [r.code]))]),
  );
  const unassigned = problem.stops.flatMap((stop, index): UnassignedStop[] => {
    if (seen.has(index)) return [];
    const codes = skipped.get(index);
    if (codes === undefined) return [{ stopId: stop.stopId, reason: 'no-room', detail: 'the optimizer neither placed nor skipped it' }];
    return [
      {
        stopId: stop.stopId,
        reason: reasonOf(codes),
        detail: codes.length > 0 ? `skipped: ${codes.join(', ')}` : 'skipped, without a reason',
      },
    ];
  });
  return E.right({
    routes,
    unassigned,
    distance: routes.reduce((sum, route) => sum + route.distance, 0),
    distanceUnit: distanceUnitOf(problem),
    search: { optimizer: googleOptimizerName, cutByTimeLimit: false, seed: problem.search.seed },
  });
};
