// RouteBoard: one document per route, from the route's own stream only (per-stream order is enough).
import { collection, updateOf, whenPresent, type DocumentUpdate, type Projection, type RecordedEvent } from '@meridian/kernel';
import { routeEvents, type RouteEvent, type RoutePlanned } from '@meridian/route';
import { vehicleEvents } from '@meridian/vehicle';
import { decodeRecorded } from '../runtime/decode.ts';
import { later, utc } from '../runtime/updates.ts';
import { etaAccuracyOf, etaErrorOf, withEstimate } from './eta.ts';
import { arrive, closeStop, dropParcel, progressOf, resequence } from './stops.ts';
import { RouteBoardView } from './view.ts';

export const routes = collection('routes', RouteBoardView, { indexes: [['status', 'updatedAt'], ['updatedAt']] });
export const routesCollection = routes.name;

type LaterRouteEvent = Exclude<RouteEvent, { type: 'RoutePlanned' }>;

const timeOf = (event: RouteEvent): string => {
  switch (event.type) {
    case 'RoutePlanned':
      return event.data.plannedAt;
    case 'RouteVehicleAssigned':
      return event.data.assignedAt;
    case 'RouteStarted':
      return event.data.startedAt;
    case 'RouteStopCompleted':
      return event.data.completedAt;
    case 'RouteStopSkipped':
      return event.data.skippedAt;
    case 'RouteStopsResequenced':
      return event.data.resequencedAt;
    case 'RouteFinished':
      return event.data.finishedAt;
    case 'RouteCancelled':
      return event.data.cancelledAt;
    case 'RouteParcelRefused':
      return event.data.refusedAt;
    case 'RouteEtaUpdated':
      return event.data.computedAt;
  }
};

const windowOf = ({ from, to }: { from: string; to: string }) => ({ from: utc(from), to: utc(to) });

const plannedView = (data: RoutePlanned): RouteBoardView => {
  const stops = data.stops.map(({ stopId, location, parcelIds }) => ({
    stopId,
    location,
    parcelIds,
    status: 'pending' as const,
    completedAt: null,
    skippedAt: null,
    skipReason: null,
    eta: null,
    etaErrorSeconds: null,
    arrivedAt: null,
  }));
  return {
    routeId: data.routeId,
    depotId: data.depotId,
    status: 'Planned',
    dispatchWindow: windowOf(data.dispatchWindow),
    vehicleId: null,
    driverId: null,
    stops,
    refusedParcels: [],
    progress: progressOf(stops),
    eta: null,
    etaAccuracy: etaAccuracyOf(stops),
    plannedAt: utc(data.plannedAt),
    startedAt: null,
    finishedAt: null,
    cancelledAt: null,
    cancellationReason: null,
    updatedAt: utc(data.plannedAt),
    revision: -1,
  };
};

/** What each later fact changes. Facts carry the crew they leave behind; stops change by the aggregate's rules. */
const changesOf = (event: LaterRouteEvent, view: RouteBoardView): Partial<RouteBoardView> => {
  switch (event.type) {
    case 'RouteVehicleAssigned': {
      const { vehicleId, driverId, dispatchWindow } = event.data;
      return { status: 'Assigned', vehicleId, driverId, dispatchWindow: windowOf(dispatchWindow) };
    }
    case 'RouteStarted': {
      const { vehicleId, driverId, stopIds, startedAt } = event.data;
      return { status: 'InProgress', vehicleId, driverId, startedAt: utc(startedAt), stops: resequence(view.stops, stopIds) };
    }
    case 'RouteStopCompleted': {
      const completedAt = utc(event.data.completedAt);
      const etaErrorSeconds = etaErrorOf(view.stops.find((stop) => stop.stopId === event.data.stopId) ?? { eta: null }, completedAt);
      return { stops: closeStop(view.stops, event.data.stopId, { status: 'completed', completedAt, etaErrorSeconds }) };
    }
    case 'RouteStopSkipped': {
      const { stopId, skippedAt, reason } = event.data;
      return { stops: closeStop(view.stops, stopId, { status: 'skipped', skippedAt: utc(skippedAt), skipReason: reason }) };
    }
    case 'RouteStopsResequenced':
      return { stops: resequence(view.stops, event.data.stopIds) };
    case 'RouteFinished': {
      const { vehicleId, driverId, finishedAt } = event.data;
      return { status: 'Finished', vehicleId, driverId, finishedAt: utc(finishedAt) };
    }
    case 'RouteCancelled': {
      const { vehicleId, driverId, reason, cancelledAt } = event.data;
      // A route cancelled before it had a crew names none: keep what the board knows (null).
      return {
        status: 'Cancelled',
        vehicleId: vehicleId ?? view.vehicleId,
        driverId: driverId ?? view.driverId,
        cancelledAt: utc(cancelledAt),
        cancellationReason: reason,
      };
    }
    case 'RouteParcelRefused': {
      const { parcelId, stopId, code, reason, refusedAt } = event.data;
      return {
        stops: dropParcel(view.stops, parcelId),
        refusedParcels: [...view.refusedParcels, { parcelId, stopId, code, reason: reason ?? null, refusedAt: utc(refusedAt) }],
      };
    }
    case 'RouteEtaUpdated':
      return withEstimate(view, event.data);
  }
};

/** What every fact does: progress from the stops, the latest time, the revision applied. */
const stamped =
  (recorded: RecordedEvent, at: string) =>
  (view: RouteBoardView): RouteBoardView => ({
    ...view,
    progress: progressOf(view.stops),
    etaAccuracy: etaAccuracyOf(view.stops),
    updatedAt: later(view.updatedAt, at),
    revision: recorded.streamRevision,
  });

/**
 * A vehicle's fact that concerns a route: its arrival at one of the route's stops (the first entry into the
 * stop's geofence counts). The vehicle's stream is followed whole, and its other facts change no route.
 */
const arrivalOf = (recorded: RecordedEvent): DocumentUpdate[] => {
  const event = decodeRecorded(vehicleEvents, recorded);
  if (event.type !== 'VehicleGeofenceEntered') return [];
  const { routeId, stopId, recordedAt } = event.data;
  if (routeId === undefined || stopId === undefined) return [];
  const at = utc(recordedAt);
  return [
    updateOf(
      routes,
      routeId,
      whenPresent<RouteBoardView>((view) => ({
        ...view,
        stops: arrive(view.stops, stopId, at),
        updatedAt: later(view.updatedAt, at),
      })),
    ),
  ];
};

const project = (recorded: RecordedEvent): DocumentUpdate[] => {
  if (vehicleEvents.handles(recorded.type)) return arrivalOf(recorded);
  const event = decodeRecorded(routeEvents, recorded);
  const stamp = stamped(recorded, utc(timeOf(event)));
  const change =
    event.type === 'RoutePlanned'
      ? () => stamp(plannedView(event.data))
      : whenPresent<RouteBoardView>((view) => stamp({ ...view, ...changesOf(event, view) }));
  return [updateOf(routes, event.data.routeId, change)];
};

export const routeBoardProjection: Projection = {
  name: 'route-board',
  // 2: refused parcels (`refusedParcels`, route.parcel-refused.v1). A store built by version 1 keeps it live
  // until `npm run replay -- route-board` builds and switches to version 2 (docs/replay-and-audit.md).
  // 3: ETAs (`eta`, `etaAccuracy`; per stop `eta`, `etaErrorSeconds`: route.eta-updated.v1, docs/eta.md).
  // and each stop's `arrivedAt`, from the vehicles' geofence facts (whose streams it follows too).
  version: 3,
  collections: { [routes.name]: routes },
  eventTypes: [...routeEvents.wireTypes, ...vehicleEvents.wireTypes],
  project,
};
