// The live map's read model: one document per vehicle in the collection `live_map`, keyed by vehicleId,
// holding its latest known position. `updatedAt` is when the projector wrote it, `recordedAt` when the
// vehicle was there.
import { collection, Identifier, IsoDateTime, Latitude, Longitude, struct } from '@meridian/kernel';
import type * as t from 'io-ts';
import { Heading, Speed, type TelemetryPing } from '@meridian/vehicle';

export const LiveMapPosition = struct('LiveMapPosition', {
  vehicleId: Identifier,
  lat: Latitude,
  lng: Longitude,
  speed: Speed,
  heading: Heading,
  recordedAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type LiveMapPosition = t.TypeOf<typeof LiveMapPosition>;

/** The live map has one generation (it is rebuilt by the next pings, never replayed). */
export const liveMapPositions = collection('live_map', LiveMapPosition);

export const positionDocument = (ping: TelemetryPing, updatedAt: IsoDateTime): LiveMapPosition => ({
  vehicleId: ping.vehicleId,
  lat: ping.lat,
  lng: ping.lng,
  speed: ping.speed,
  heading: ping.heading,
  recordedAt: ping.recordedAt,
  updatedAt,
});

/**
 * When the stored position was recorded, in epoch milliseconds; -Infinity when there is none. Times are
 * compared as instants (offsets differ between devices), to the millisecond: two pings of the same
 * millisecond count as the same time, and the one written first stays.
 */
export const recordedAtOf = (position: LiveMapPosition | undefined): number =>
  position === undefined ? -Infinity : Date.parse(position.recordedAt);
