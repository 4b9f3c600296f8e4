// A routing problem as Google's OptimizeToursRequest (REST, v1): one shipment per stop (a delivery at its
// location, its service time, its window), one vehicle per vehicle (from and back to the depot, its load
// limit, its shift's end), geodesic distances at the problem's speed so that distances and times are the
// problem's great-circle ones, a cost per kilometre so that it minimises distance, and a high penalty for
// skipping a shipment so that it places every stop it can (it reports the ones it cannot, with reasons).
// https://developers.google.com/maps/documentation/route-optimization/reference/rest/v1/projects/optimizeTours
import type { GeographicProblem } from '@meridian/kernel';

type LatLng = { readonly latitude: number; readonly longitude: number };
type TimeWindow = { readonly startTime?: string; readonly endTime?: string };

export type OptimizeToursRequest = {
  readonly model: {
    readonly globalStartTime: string;
    readonly globalEndTime: string;
    readonly shipments: readonly {
      readonly label: string;
      readonly deliveries: readonly [
        { readonly arrivalLocation: LatLng; readonly duration: string; readonly timeWindows?: readonly [TimeWindow] },
      ];
      readonly loadDemands: { readonly weightGrams: { readonly amount: string }; readonly visits?: { readonly amount: '1' } };
      readonly penaltyCost: number;
    }[];
    readonly vehicles: readonly {
      readonly label: string;
      readonly startLocation: LatLng;
      readonly endLocation: LatLng;
      readonly loadLimits: { readonly weightGrams: { readonly maxLoad: string }; readonly visits?: { readonly maxLoad: string } };
      readonly costPerKilometer: number;
      readonly endTimeWindows?: readonly [TimeWindow];
    }[];
  };
  readonly timeout: string;
  readonly searchMode: 'RETURN_FAST';
  readonly useGeodesicDistances: true;
  readonly geodesicMetersPerSecond: number;
  readonly label: string;
};

/** Skipping a stop costs more than any route could (a cost per kilometre of 1: a million kilometres). */
export const skipPenalty = 1_000_000;

const latLng = (point: { readonly lat: number; readonly lng: number }): LatLng => ({ latitude: point.lat, longitude: point.lng });

// The API takes whole seconds: a window opens at the next whole second and closes at the one before, so the
// plan it answers stays inside the problem's window.
const wholeSecond = (instant: string, round: (seconds: number) => number) =>
  new Date(round(Date.parse(instant) / 1000) * 1000).toISOString();
const openingAt = (instant: string) => wholeSecond(instant, Math.ceil);
const closingAt = (instant: string) => wholeSecond(instant, Math.floor);
const seconds = (value: number) => `${Math.round(value * 1000) / 1000}s`;

/** Until the last shift ends or the last window closes, and at least a day. */
const horizon = (problem: GeographicProblem): string => {
  const instants = [
    Date.parse(problem.startAt) + 86_400_000,
    ...problem.vehicles.flatMap((v) => (v.returnBy === undefined ? [] : [Date.parse(v.returnBy)])),
    ...problem.stops.flatMap((s) => (s.window?.closesAt === undefined ? [] : [Date.parse(s.window.closesAt) + 86_400_000])),
  ];
  return new Date(Math.ceil(Math.max(...instants) / 1000) * 1000).toISOString();
};

const windowOf = (window: { readonly opensAt?: string; readonly closesAt?: string }): TimeWindow => ({
  ...(window.opensAt !== undefined && { startTime: openingAt(window.opensAt) }),
  ...(window.closesAt !== undefined && { endTime: closingAt(window.closesAt) }),
});

/** A route's stop limit is a load: each stop weighs one `visits`, a vehicle carries at most its limit (none: unlimited). */
export const optimizeToursRequest = (problem: GeographicProblem): OptimizeToursRequest => {
  const countsStops = problem.vehicles.some((vehicle) => vehicle.maxStops !== undefined);
  return {
    model: {
      globalStartTime: openingAt(problem.startAt),
      globalEndTime: horizon(problem),
      shipments: problem.stops.map((stop) => ({
        label: stop.stopId,
        deliveries: [
          {
            arrivalLocation: latLng(stop.location),
            duration: seconds(stop.serviceSeconds),
            ...(stop.window !== undefined && { timeWindows: [windowOf(stop.window)] }),
          },
        ],
        loadDemands: {
          weightGrams: { amount: String(Math.ceil(stop.demandKg * 1000)) },
          ...(countsStops && { visits: { amount: '1' as const } }),
        },
        penaltyCost: skipPenalty,
      })),
      vehicles: problem.vehicles.map((vehicle) => ({
        label: vehicle.vehicleId,
        startLocation: latLng(problem.depot),
        endLocation: latLng(problem.depot),
        loadLimits: {
          weightGrams: { maxLoad: String(Math.floor(vehicle.capacityKg * 1000)) },
          ...(vehicle.maxStops !== undefined && { visits: { maxLoad: String(vehicle.maxStops) } }),
        },
        costPerKilometer: 1,
        ...(vehicle.returnBy !== undefined && { endTimeWindows: [{ endTime: closingAt(vehicle.returnBy) }] }),
      })),
    },
    timeout: seconds(problem.search.timeLimitMs / 1000),
    searchMode: 'RETURN_FAST',
    useGeodesicDistances: true,
    geodesicMetersPerSecond: problem.speedKmh / 3.6,
    label: `meridian-seed-${problem.search.seed}`,
  };
};
