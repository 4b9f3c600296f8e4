// A telemetry ping: where a vehicle was, how fast and which way it went, and when. Pings are not events:
// they are decoded here once, at the HTTP edge, and travel as they are to the queue and the live map.
//
// The codecs are the kernel's closed structs (their errors and JSON Schema), with a fast path in front:
// a valid ping or batch, the common case by far, is checked field by field without building a decoded
// copy or an io-ts context per field, and passes through as the object JSON.parse made. Anything that
// fails the fast check is decoded again by the struct, which reports every failing field with its path.
import { arrayOf, described, Identifier, IsoDateTime, jsonSchemaOf, Latitude, Longitude, struct, withSchema } from '@meridian/kernel';
import * as t from 'io-ts';

export interface SpeedBrand {
  readonly Speed: unique symbol;
}
/** Ground speed in km/h; 300 is far beyond any delivery vehicle, so more is a broken sensor. */
export const Speed = described(
  t.brand(t.number, (n): n is t.Branded<number, SpeedBrand> => Number.isFinite(n) && n >= 0 && n <= 300, 'Speed'),
  'must be a speed in km/h, from 0 to 300',
  { type: 'number', minimum: 0, maximum: 300 },
);
export type Speed = t.TypeOf<typeof Speed>;

export interface HeadingBrand {
  readonly Heading: unique symbol;
}
/** Course over ground in degrees clockwise from north: 0 up to, not including, 360. */
export const Heading = described(
  t.brand(t.number, (n): n is t.Branded<number, HeadingBrand> => Number.isFinite(n) && n >= 0 && n < 360, 'Heading'),
  'must be a heading in degrees, from 0 up to (not including) 360',
  { type: 'number', minimum: 0, exclusiveMaximum: 360 },
);
export type Heading = t.TypeOf<typeof Heading>;

const PingFields = struct('TelemetryPing', {
  vehicleId: Identifier,
  lat: Latitude,
  lng: Longitude,
  speed: Speed,
  heading: Heading,
  recordedAt: IsoDateTime,
});
type PingFields = t.TypeOf<typeof PingFields>;

/** JSON.parse makes plain objects; anything else takes the struct's path, which copies the known fields. */
const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false;
  // An object made without a prototype is as plain as a literal: the struct decodes it, so must this.
  const prototype: unknown = Object.getPrototypeOf(u);
  return prototype === Object.prototype || prototype === null;
};

const pingFieldCount = 6;

/** The fast check: exactly the six fields, each valid by its own codec's rule (one rule, two paths). */
const isPing = (u: unknown): u is PingFields => {
  if (!isPlainObject(u)) return false;
  let fields = 0;
  for (const key in u) {
    switch (key) {
      case 'vehicleId':
      case 'lat':
      case 'lng':
      case 'speed':
      case 'heading':
      case 'recordedAt':
        fields++;
        break;
      default:
        return false;
    }
  }
  return (
    fields === pingFieldCount &&
    Identifier.is(u['vehicleId']) &&
    Latitude.is(u['lat']) &&
    Longitude.is(u['lng']) &&
    Speed.is(u['speed']) &&
    Heading.is(u['heading']) &&
    IsoDateTime.is(u['recordedAt'])
  );
};

export const TelemetryPing: t.Type<PingFields, t.OutputOf<typeof PingFields>, unknown> = withSchema(
  new t.Type<PingFields, t.OutputOf<typeof PingFields>, unknown>(
    'TelemetryPing',
    isPing,
    (u, context) => (isPing(u) ? t.success(u) : PingFields.validate(u, context)),
    PingFields.encode,
  ),
  jsonSchemaOf(PingFields),
);
export type TelemetryPing = t.TypeOf<typeof TelemetryPing>;

/** The most pings one request may carry: a driver app buffering a minute offline sends a few dozen. */
export const maxPingsPerBatch = 1000;

const BatchFields = struct('TelemetryBatch', {
  pings: arrayOf(TelemetryPing, { min: 1, max: maxPingsPerBatch, name: 'TelemetryPings' }),
});
type BatchFields = t.TypeOf<typeof BatchFields>;

const isBatch = (u: unknown): u is BatchFields => {
  if (!isPlainObject(u)) return false;
  for (const key in u) if (key !== 'pings') return false;
  const pings = u['pings'];
  if (!Array.isArray(pings) || pings.length < 1 || pings.length > maxPingsPerBatch) return false;
  for (let i = 0; i < pings.length; i++) if (!isPing(pings[i])) return false;
  return true;
};

/** The body of POST /v1/telemetry: `{ "pings": [...] }`, 1 to 1000 pings. */
export const TelemetryBatch: t.Type<BatchFields, t.OutputOf<typeof BatchFields>, unknown> = withSchema(
  new t.Type<BatchFields, t.OutputOf<typeof BatchFields>, unknown>(
    'TelemetryBatch',
    isBatch,
    (u, context) => (isBatch(u) ? t.success(u) : BatchFields.validate(u, context)),
    BatchFields.encode,
  ),
  jsonSchemaOf(BatchFields),
);
export type TelemetryBatch = t.TypeOf<typeof TelemetryBatch>;
