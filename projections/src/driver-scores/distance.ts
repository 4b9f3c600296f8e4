// Distance driven, from telemetry (docs/driver-scores.md, "Distance driven"). Pings never enter the log, so
// the distance slots consumer keeps, per vehicle and 30-second slot of the ping's own time, the earliest ping
// of the slot: a minimum by recordedAt, then latitude, then longitude. A minimum is a merge that commutes and
// ignores repeats, so pings duplicated, reordered, or split across instances and restarts give the same slots.
// A driver-day's distance is computed when read: the great-circle legs between consecutive slots of the
// route's vehicle while the route ran. All of it is pure; the consumer and the query do the I/O.
import {
  collection,
  expiryField,
  greatCircleMetres,
  IsoDateTime,
  isoDateTime,
  Identifier,
  Latitude,
  Longitude,
  struct,
} from '@meridian/kernel';
import type { TelemetryPing } from '@meridian/vehicle';
import * as t from 'io-ts';

export const slotSeconds = 30;
const slotMs = slotSeconds * 1000;

/** How long a slot is kept after its time (its `expireAt`): a month of scores, and a few days' margin. */
export const defaultSlotRetentionDays = 35;

export const DistanceSlot = struct('DistanceSlot', {
  vehicleId: Identifier,
  /** The slot's start (UTC, a multiple of 30 s). */
  slot: IsoDateTime,
  /** The slot's UTC hour, `YYYY-MM-DDTHH`: what a route's slots are looked up by (equality, no composite index). */
  hour: t.string,
  /** The earliest ping of the slot: when (UTC, to the millisecond) and where. */
  recordedAt: IsoDateTime,
  lat: Latitude,
  lng: Longitude,
  /** The TTL field: the store deletes the slot after it (a Firestore TTL policy in infra/stores.tf; hourly embedded). */
  expireAt: IsoDateTime,
});
export type DistanceSlot = t.TypeOf<typeof DistanceSlot>;

/**
 * One generation, like the live map: it is made by the next pings, never replayed from the log. Its query is
 * equalities only (a vehicle, some hours), which Firestore serves from single-field indexes; the embedded
 * store gets these expression indexes, the expiry's for its hourly deletion of expired documents.
 */
export const distanceSlots = collection('vehicle-distance-slots', DistanceSlot, { indexes: [['vehicleId', 'hour'], [expiryField]] });

export const distanceSlotId = (vehicleId: string, slot: string): string => `${vehicleId}:${slot}`;

/** `YYYY-MM-DDTHH` of an instant. */
export const hourOf = (instant: string): string => new Date(instant).toISOString().slice(0, 13);

/** The slot a ping falls in, holding that ping. Deterministic in the ping: the same ping always makes the same document. */
export const slotOfPing = (
  ping: Pick<TelemetryPing, 'vehicleId' | 'lat' | 'lng' | 'recordedAt'>,
  retentionDays = defaultSlotRetentionDays,
) => {
  const at = Date.parse(ping.recordedAt);
  const start = new Date(Math.floor(at / slotMs) * slotMs);
  const slot = isoDateTime(start);
  const document: DistanceSlot = {
    vehicleId: ping.vehicleId,
    slot,
    hour: slot.slice(0, 13),
    recordedAt: isoDateTime(new Date(at)),
    lat: ping.lat,
    lng: ping.lng,
    expireAt: isoDateTime(new Date(start.getTime() + retentionDays * 86_400_000)),
  };
  return { id: distanceSlotId(ping.vehicleId, slot), document };
};

/** Whether `a` comes before `b` in the slot's order: by time, then latitude, then longitude (a total order on pings' places in time). */
export const isEarlier = (
  a: Pick<DistanceSlot, 'recordedAt' | 'lat' | 'lng'>,
  b: Pick<DistanceSlot, 'recordedAt' | 'lat' | 'lng'>,
): boolean => {
  const [ta, tb] = [Date.parse(a.recordedAt), Date.parse(b.recordedAt)];
  if (ta !== tb) return ta < tb;
  if (a.lat !== b.lat) return a.lat < b.lat;
  return a.lng < b.lng;
};

/** The merge of two holders of one slot: the earlier. Commutative, associative, idempotent. */
export const earlierSlot = (a: DistanceSlot | undefined, b: DistanceSlot): DistanceSlot => (a === undefined || isEarlier(b, a) ? b : a);

/** The slots of some pings, by id: each slot's earliest ping. */
export const mergeSlots = (
  pings: Iterable<Pick<TelemetryPing, 'vehicleId' | 'lat' | 'lng' | 'recordedAt'>>,
  into: ReadonlyMap<string, DistanceSlot> = new Map(),
  retentionDays = defaultSlotRetentionDays,
): Map<string, DistanceSlot> => {
  const slots = new Map(into);
  for (const ping of pings) {
    const { id, document } = slotOfPing(ping, retentionDays);
    slots.set(id, earlierSlot(slots.get(id), document));
  }
  return slots;
};

/** A route's drive counts at most this long after its start (a route never ended is not driven for days). */
export const maxDriveMs = 24 * 3_600_000;

/** When a route's vehicle counts as driven for it: from its start to its end (now while it runs), at most maxDriveMs. */
export const driveWindow = (
  route: { readonly startedAt: string | null; readonly endedAt: string | null },
  now: Date,
): { readonly from: number; readonly to: number } | undefined => {
  if (route.startedAt === null) return undefined;
  const from = Date.parse(route.startedAt);
  const to = Math.min(route.endedAt === null ? now.getTime() : Date.parse(route.endedAt), from + maxDriveMs);
  return to < from ? undefined : { from, to };
};

/** The UTC hours a window touches (at most 25 for maxDriveMs): the `hour` values its slots are read by. */
export const hoursOf = ({ from, to }: { readonly from: number; readonly to: number }): string[] => {
  const hours: string[] = [];
  for (let hour = Math.floor(from / 3_600_000) * 3_600_000; hour <= to; hour += 3_600_000)
    hours.push(new Date(hour).toISOString().slice(0, 13));
  return hours;
};

/**
 * Metres driven per UTC day in a window: the great-circle legs between consecutive slots whose ping falls in
 * it, each leg on the day it ends. Slots in any order; other vehicles' slots must not be among them.
 */
export const metresByDay = (
  slots: readonly DistanceSlot[],
  window: { readonly from: number; readonly to: number },
): Map<string, number> => {
  const inWindow = slots
    .map((slot) => ({ slot, at: Date.parse(slot.recordedAt) }))
    .filter(({ at }) => at >= window.from && at <= window.to)
    .sort((a, b) => a.at - b.at);
  const byDay = new Map<string, number>();
  for (let i = 1; i < inWindow.length; i++) {
    const [from, to] = [inWindow[i - 1]!.slot, inWindow[i]!.slot];
    const day = to.recordedAt.slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? 0) + greatCircleMetres(from, to));
  }
  return byDay;
};

/** Kilometres to one decimal (100 m): finer than the 30-second sampling is exact. */
export const roundedKm = (metres: number): number => Math.round(metres / 100) / 10;
