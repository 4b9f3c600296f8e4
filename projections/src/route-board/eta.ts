// The board's ETAs (docs/eta.md): each stop's latest estimate, and, once a stop is completed, how far its
// completion was from the ETA last predicted for it; the board sums that up as a mean absolute error.
import type { RouteEtaUpdated } from '@meridian/route';
import { utc } from '../runtime/updates.ts';
import type { EtaAccuracyView, RouteBoardStop, RouteBoardView } from './view.ts';

/** The estimate's ETAs on the pending stops it names; closed stops keep the last ETA they had. */
export const withEstimate = (view: RouteBoardView, data: RouteEtaUpdated): Partial<RouteBoardView> => {
  const etas = new Map<string, string>(data.stops.map((stop) => [stop.stopId, utc(stop.eta)]));
  const { lat, lng, at, source } = data.position;
  return {
    stops: view.stops.map((stop) =>
      stop.status === 'pending' && etas.has(stop.stopId) ? { ...stop, eta: etas.get(stop.stopId) ?? null } : stop,
    ),
    eta: { computedAt: utc(data.computedAt), position: { lat, lng, at: utc(at), source }, trigger: data.trigger },
  };
};

/** Seconds from the predicted arrival to the completion (positive: late); null without a prediction. */
export const etaErrorOf = (stop: Pick<RouteBoardStop, 'eta'>, completedAt: string): number | null =>
  stop.eta === null ? null : Math.round((Date.parse(completedAt) - Date.parse(stop.eta)) / 1000);

export const etaAccuracyOf = (stops: readonly RouteBoardStop[]): EtaAccuracyView => {
  const errors = stops.flatMap((stop) => (stop.etaErrorSeconds === null ? [] : [Math.abs(stop.etaErrorSeconds)]));
  const total = errors.reduce((sum, error) => sum + error, 0);
  return { measuredStops: errors.length, meanAbsoluteErrorSeconds: errors.length === 0 ? null : Math.round(total / errors.length) };
};
