import { arrayOf, GeoPoint, Identifier, IsoDateTime, Latitude, Longitude, oneOf, struct } from '@meridian/kernel';
import * as t from 'io-ts';

export interface RouteIdBrand {
  readonly RouteId: unique symbol;
}
export const RouteId = t.brand(Identifier, (_id): _id is t.Branded<Identifier, RouteIdBrand> => true, 'RouteId');
export type RouteId = t.TypeOf<typeof RouteId>;

/** How many stops one route may hold, and how many parcels one stop may hand over. */
export const maxStopsPerRoute = 200;
export const maxParcelsPerStop = 50;

/**
 * When the route may leave the depot. Read as half-open, [from, to): at `to` the window is over, so a plan
 * needs a `to` after now and a start at or after `to` is refused.
 */
export const DispatchWindow = struct('DispatchWindow', { from: IsoDateTime, to: IsoDateTime });
export type DispatchWindow = t.TypeOf<typeof DispatchWindow>;

/** A stop as planned: where to go and which parcels to hand over there. */
export const PlannedStop = struct('PlannedStop', {
  stopId: Identifier,
  location: GeoPoint,
  parcelIds: arrayOf(Identifier, { min: 1, max: maxParcelsPerStop, name: 'ParcelIds' }),
});
export type PlannedStop = t.TypeOf<typeof PlannedStop>;

/** A stop is closed once completed or skipped; only pending stops can still change. */
export const StopStatus = oneOf('StopStatus', ['pending', 'completed', 'skipped']);
export type StopStatus = t.TypeOf<typeof StopStatus>;

/**
 * Where the van was last known to be, and how that is known: a telemetry ping, the location of the stop it
 * completed or of the parcel it delivered (or failed to), or, with nothing known yet, assumed at its first
 * remaining stop (the plan does not locate the depot).
 */
export const EtaPosition = struct('EtaPosition', {
  lat: Latitude,
  lng: Longitude,
  at: IsoDateTime,
  source: oneOf('EtaPositionSource', ['telemetry', 'stop', 'delivery', 'first-stop']),
});
export type EtaPosition = t.TypeOf<typeof EtaPosition>;
