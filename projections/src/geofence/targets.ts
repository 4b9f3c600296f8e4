// GeofenceTargets: what the geofence detector watches each vehicle for, from the log. One document per
// route that is planned or under way (a finished or cancelled route's is deleted): its depot, its vehicle
// once assigned, and its pending stops with their locations (a completed or skipped stop is no longer
// watched). One document per depot with its location, from the dispatch windows opened for it (the
// location the optimizer plans from). A route of a depot no window has named has no depot fence.
import {
  collection,
  GeoPoint,
  oneOf,
  struct,
  updateOf,
  whenPresent,
  type DocumentUpdate,
  type Projection,
  type RecordedEvent,
} from '@meridian/kernel';
import { windowEvents } from '@meridian/dispatch';
import { routeEvents, type RouteEvent } from '@meridian/route';
import * as t from 'io-ts';
import { decodeRecorded } from '../runtime/decode.ts';
import { later, utc } from '../runtime/updates.ts';

export const GeofenceStop = struct('GeofenceStop', { stopId: t.string, lat: t.number, lng: t.number });
export type GeofenceStop = t.TypeOf<typeof GeofenceStop>;

export const GeofenceRouteDocument = struct('GeofenceRouteDocument', {
  routeId: t.string,
  depotId: t.string,
  /** Planned: no vehicle yet. Active: a vehicle is assigned (at the depot or on the road). */
  status: oneOf('GeofenceRouteStatus', ['planned', 'active']),
  vehicleId: t.union([t.string, t.null]),
  /** The stops still pending, in no particular order. */
  stops: t.readonlyArray(GeofenceStop),
  updatedAt: t.string,
});
export type GeofenceRouteDocument = t.TypeOf<typeof GeofenceRouteDocument>;

export const GeofenceDepotDocument = struct('GeofenceDepotDocument', { depotId: t.string, location: GeoPoint, updatedAt: t.string });
export type GeofenceDepotDocument = t.TypeOf<typeof GeofenceDepotDocument>;

export const geofenceRoutes = collection('geofence-routes', GeofenceRouteDocument, { indexes: [['status']] });
export const geofenceDepots = collection('geofence-depots', GeofenceDepotDocument);

const withoutStop = (route: GeofenceRouteDocument, stopId: string, at: string): GeofenceRouteDocument => ({
  ...route,
  stops: route.stops.filter((stop) => stop.stopId !== stopId),
  updatedAt: later(route.updatedAt, at),
});

const routeChange = (event: RouteEvent): ((current: GeofenceRouteDocument | undefined) => GeofenceRouteDocument | undefined) => {
  switch (event.type) {
    case 'RoutePlanned': {
      const { routeId, depotId, stops, plannedAt } = event.data;
      const pending = stops.map(({ stopId, location }) => ({ stopId, lat: location.lat, lng: location.lng }));
      return () => ({ routeId, depotId, status: 'planned', vehicleId: null, stops: pending, updatedAt: utc(plannedAt) });
    }
    case 'RouteVehicleAssigned':
    case 'RouteStarted': {
      const { vehicleId } = event.data;
      const at = utc(event.type === 'RouteStarted' ? event.data.startedAt : event.data.assignedAt);
      return whenPresent((route) => ({ ...route, status: 'active', vehicleId, updatedAt: later(route.updatedAt, at) }));
    }
    case 'RouteStopCompleted':
      return whenPresent((route) => withoutStop(route, event.data.stopId, utc(event.data.completedAt)));
    case 'RouteStopSkipped':
      return whenPresent((route) => withoutStop(route, event.data.stopId, utc(event.data.skippedAt)));
    case 'RouteFinished':
    case 'RouteCancelled':
      return () => undefined;
    case 'RouteStopsResequenced':
    case 'RouteParcelRefused':
    case 'RouteEtaUpdated':
      return (route) => route;
  }
};

const project = (recorded: RecordedEvent): DocumentUpdate[] => {
  if (windowEvents.wireTypes.includes(recorded.type)) {
    const { data } = decodeRecorded(windowEvents, recorded);
    const at = utc(data.openedAt);
    return [
      updateOf(geofenceDepots, data.depotId, (depot) =>
        depot !== undefined && depot.updatedAt > at ? depot : { depotId: data.depotId, location: data.depot, updatedAt: at },
      ),
    ];
  }
  const event = decodeRecorded(routeEvents, recorded);
  return [updateOf(geofenceRoutes, event.data.routeId, routeChange(event))];
};

export const geofenceTargetsProjection: Projection = {
  name: 'geofence-targets',
  version: 1,
  collections: { [geofenceRoutes.name]: geofenceRoutes, [geofenceDepots.name]: geofenceDepots },
  // Every event of a route's stream, the ETAs too (they change no fence): the stream guard sees each revision.
  eventTypes: [...routeEvents.wireTypes, ...windowEvents.wireTypes],
  project,
};
