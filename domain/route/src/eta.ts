// The ETA model, pure: when the van will reach each of a route's remaining stops, from where it was last
// seen. Distance is the great circle (haversine) between consecutive points times a road factor (roads are
// not straight: 1.3 is the usual ratio of road to crow-fly distance in European cities), driven at one
// configured speed; each stop takes a fixed service time before the van drives on. docs/eta.md.
import { described, greatCircleMetres, struct, type GeoPoint, type Identifier } from '@meridian/kernel';
import * as t from 'io-ts';

const boundedNumber = (name: string, min: number, max: number, unit: string) =>
  described(
    t.refinement(t.number, (n) => Number.isFinite(n) && n >= min && n <= max, name),
    `must be a number of ${unit} from ${min} to ${max}`,
    { type: 'number', minimum: min, maximum: max },
  );

/** What an estimate is computed with: configuration (docs/eta.md), recorded with every estimate. */
export const EtaModel = struct('EtaModel', {
  /** The van's average speed between stops, road time included. */
  speedKmh: boundedNumber('SpeedKmh', 1, 200, 'km/h'),
  /** Road distance over great-circle distance. */
  roadFactor: boundedNumber('RoadFactor', 1, 5, 'road metres per great-circle metre'),
  /** Time spent at each stop (parking, handing over) before driving on. */
  serviceSeconds: boundedNumber('ServiceSeconds', 0, 3600, 'seconds'),
});
export type EtaModel = t.TypeOf<typeof EtaModel>;

/**
 * How often a position alone may move a route's estimate: at most once per `intervalSeconds`, unless the new
 * estimate moves some stop by more than `thresholdSeconds` (facts of the route always do).
 */
export const EtaThrottle = struct('EtaThrottle', {
  intervalSeconds: boundedNumber('IntervalSeconds', 0, 86_400, 'seconds'),
  thresholdSeconds: boundedNumber('ThresholdSeconds', 0, 86_400, 'seconds'),
});
export type EtaThrottle = t.TypeOf<typeof EtaThrottle>;

export const defaultEtaThrottle: EtaThrottle = { intervalSeconds: 60, thresholdSeconds: 120 };

export const defaultEtaModel: EtaModel = { speedKmh: 25, roadFactor: 1.3, serviceSeconds: 180 };

/** A stop still to visit, in visiting order. */
export type StopToVisit = { readonly stopId: Identifier; readonly location: GeoPoint };

export type StopEta<S extends StopToVisit> = { readonly stop: S; readonly eta: Date };

/** Seconds to drive from one point to another under the model. */
export const driveSeconds = (model: EtaModel, from: GeoPoint, to: GeoPoint): number =>
  (greatCircleMetres(from, to) * model.roadFactor) / ((model.speedKmh * 1000) / 3600);

/**
 * Each remaining stop's arrival time, in visiting order: the van leaves `from` at `at`, drives to the first
 * stop, spends the service time there, drives on. Whole seconds, rounded from the running total, so the
 * times never go back along the route.
 */
export const estimateArrivals = <S extends StopToVisit>(model: EtaModel, from: GeoPoint, at: Date, stops: readonly S[]): StopEta<S>[] => {
  let seconds = 0;
  let here = from;
  return stops.map((stop, index) => {
    seconds += (index === 0 ? 0 : model.serviceSeconds) + driveSeconds(model, here, stop.location);
    here = stop.location;
    return { stop, eta: new Date(at.getTime() + Math.round(seconds) * 1000) };
  });
};

/** The largest move of any stop's estimate between two estimates, in seconds (stops in only one count as moved by Infinity). */
export const largestShiftSeconds = (
  before: readonly { readonly stopId: string; readonly eta: string }[],
  after: readonly { readonly stopId: string; readonly eta: string }[],
): number => {
  const earlier = new Map(before.map((stop) => [stop.stopId, Date.parse(stop.eta)]));
  if (earlier.size !== after.length) return Infinity;
  return after.reduce((largest, stop) => {
    const was = earlier.get(stop.stopId);
    return was === undefined ? Infinity : Math.max(largest, Math.abs(Date.parse(stop.eta) - was) / 1000);
  }, 0);
};
