// route.eta-updated.v1 for projection tests: a route's estimate, stop by stop (values typed by assertion,
// as in fixtures.ts).
import { defaultEtaModel, type RouteEvent, type RouteId } from '@meridian/route';
import { at, id, point } from './fixtures.ts';

export type StopEstimate = { readonly stopId: string; readonly parcelIds: readonly string[]; readonly eta: string };

export const etaUpdated = (route: string, stops: readonly StopEstimate[], time: string, vehicleId = 'v-1'): RouteEvent => ({
  type: 'RouteEtaUpdated',
  data: {
    routeId: route as RouteId,
    vehicleId: id(vehicleId),
    stops: stops.map(({ stopId, parcelIds, eta }) => ({ stopId: id(stopId), parcelIds: parcelIds.map(id), eta: at(eta) })),
    position: { ...point(52.3, 4.9), at: at(time), source: 'telemetry' },
    model: defaultEtaModel,
    trigger: 'position',
    computedAt: at(time),
  },
});
