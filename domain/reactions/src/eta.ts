// The ETA reactor (docs/eta.md): the facts that change when a route's van will reach its remaining stops
// ask the route for a new estimate. The route computes it from its own stops and the van's last known
// position (the decider: domain/route/src/eta.ts), so this reactor only says when, and with which model.
//
//   route started, stops re-sequenced   → estimate (from the last known position)
//   stop completed or skipped           → estimate (a completed stop is where the van is now)
//   parcel delivered, attempt failed    → estimate from where the driver recorded it
//
// Positions between facts come from the telemetry consumer (projections/src/eta-telemetry), which sends the
// same command with the van's latest ping and a throttle.
import { follows, intent, type CommandIntent, type Fact, type GeoPoint, type IsoDateTime, type Reactor } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { route, RouteId, routeEvents, type EstimateArrivals, type EtaModel } from '@meridian/route';
import type { PlatformEvent } from './platform-event.ts';

export const etaReactorName = 'eta-reactor';

/** The estimate a fact of route `routeId` calls for. */
const estimate = (
  model: EtaModel,
  routeId: string,
  trigger: EstimateArrivals['trigger'],
  seen?: { at: IsoDateTime; location?: GeoPoint },
) => {
  if (!RouteId.is(routeId)) return [];
  const position = seen?.location === undefined ? {} : { position: { ...seen.location, at: seen.at, source: 'delivery' as const } };
  return [intent(route, { type: 'EstimateArrivals', data: { routeId, model, trigger, ...position } })];
};

const reactWith =
  (model: EtaModel) =>
  ({ event }: Fact<PlatformEvent>): readonly CommandIntent[] => {
    switch (event.type) {
      case 'RouteStarted':
        return estimate(model, event.data.routeId, 'route-started');
      case 'RouteStopsResequenced':
        return estimate(model, event.data.routeId, 'stops-resequenced');
      case 'RouteStopCompleted':
      case 'RouteStopSkipped':
        return event.data.remainingStops > 0 ? estimate(model, event.data.routeId, 'stop-closed') : [];
      case 'ParcelDelivered': {
        const { routeId, deliveredAt, location } = event.data;
        return estimate(model, routeId, 'parcel-delivered', { at: deliveredAt, location });
      }
      case 'ParcelDeliveryAttemptFailed': {
        const { routeId, failedAt, location } = event.data;
        return estimate(model, routeId, 'delivery-attempt-failed', { at: failedAt, ...(location && { location }) });
      }
      default:
        return [];
    }
  };

/**
 * The ETA reactor with its model (configuration: MERIDIAN_ETA_*). A refusal (the route finished or was
 * cancelled meanwhile, a resequence before the start) needs no answer: there is nothing to estimate.
 */
export const etaReactor = (model: EtaModel): Reactor<PlatformEvent> => ({
  name: etaReactorName,
  follows: follows(routeEvents, parcelEvents),
  react: reactWith(model),
});
