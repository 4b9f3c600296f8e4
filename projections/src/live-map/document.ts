// The live map's read model: one document per vehicle in the collection `live_map`, keyed by vehicleId,
// holding its latest known position. `updatedAt` is when the projector wrote it, `recordedAt` when the
// vehicle was there.
import { decodeWith, Identifier, IsoDateTime, Latitude, Longitude, struct, type Document } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { Heading, Speed, type TelemetryPing } from '@meridian/vehicle';

export const liveMapCollection = 'live_map';

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

export const positionDocument = (ping: TelemetryPing, updatedAt: string): Document => ({
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
export const recordedAtOf = (document: Document | undefined): number => {
  const recordedAt = document?.['recordedAt'];
  return typeof recordedAt === 'string' ? Date.parse(recordedAt) : -Infinity;
};

const decodePosition = decodeWith(LiveMapPosition);

/** Reads a stored document; one that is not a position is a broken read model, not bad input. */
export const positionOf = (id: string, document: Document): LiveMapPosition => {
  const decoded = decodePosition(document);
  if (E.isLeft(decoded))
    throw new Error(`${liveMapCollection}/${id} is not a position: ${decoded.left.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`);
  return decoded.right;
};
