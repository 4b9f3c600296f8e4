// The ParcelStatusView document: one per parcel, what a client or an operator asks about "where is my
// parcel". Plain JSON (no brands): this is a published shape, read back from stores as it was written, and
// its codec is both how the query edge reads it and the schema the API description publishes.
// Top-level fields that may not apply yet are null, never absent, so the shape is stable and `== null` is
// queryable; value objects copied from events (address) keep their optional fields optional.
import { oneOf, struct } from '@meridian/kernel';
import type { ParcelStatus } from '@meridian/parcel';
import * as t from 'io-ts';

/** The parcel lifecycle's status names (a view only exists once the parcel is registered). */
export type ParcelViewStatus = Exclude<ParcelStatus, 'Unregistered'>;

export const parcelViewStatuses = [
  'Registered',
  'AssignedToRoute',
  'Loaded',
  'OutForDelivery',
  'AttemptFailed',
  'Delivered',
  'ReturnedToDepot',
  'Cancelled',
] as const satisfies readonly ParcelViewStatus[];

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const ParcelLocation = struct('ParcelLocation', { lat: t.number, lng: t.number });
export type ParcelLocation = t.TypeOf<typeof ParcelLocation>;

export const ParcelAddress = struct(
  'ParcelAddress',
  { line1: t.string, city: t.string, postalCode: t.string, country: t.string, location: ParcelLocation },
  { line2: t.string },
);
export type ParcelAddress = t.TypeOf<typeof ParcelAddress>;

export const ProofOfDeliveryView = struct('ProofOfDeliveryView', {
  kind: oneOf('ProofKind', ['signature', 'photo']),
  reference: t.string,
  receivedBy: nullable(t.string),
  location: ParcelLocation,
  deliveredAt: t.string,
});
export type ProofOfDeliveryView = t.TypeOf<typeof ProofOfDeliveryView>;

/** The latest image proving the delivery, and where the query API serves it and its thumbnail. */
export const ProofImageView = struct('ProofImageView', {
  contentType: t.string,
  sizeBytes: t.number,
  sha256: t.string,
  receivedAt: t.string,
  links: struct('ProofImageLinks', { image: t.string, thumbnail: t.string }),
});
export type ProofImageView = t.TypeOf<typeof ProofImageView>;

export const DeliveryFailureView = struct('DeliveryFailureView', {
  reason: oneOf('FailureReason', ['recipient-absent', 'address-not-found', 'refused', 'access-denied', 'damaged', 'other']),
  at: t.string,
  attempt: t.number,
  attemptsLeft: t.number,
  note: nullable(t.string),
  location: nullable(ParcelLocation),
});
export type DeliveryFailureView = t.TypeOf<typeof DeliveryFailureView>;

/** One fact in the parcel's history: its wire type, its business time, its stream revision. */
export const ParcelTimelineEntry = struct('ParcelTimelineEntry', { type: t.string, at: t.string, revision: t.number });
export type ParcelTimelineEntry = t.TypeOf<typeof ParcelTimelineEntry>;

/** The parcel's estimated arrival (docs/eta.md): its stop's, from the route's latest estimate. */
export const ParcelEtaView = struct('ParcelEtaView', { at: t.string, stopId: t.string, computedAt: t.string });
export type ParcelEtaView = t.TypeOf<typeof ParcelEtaView>;

export const ParcelStatusView = struct(
  'ParcelStatusView',
  {
    parcelId: t.string,
    clientId: t.string,
    status: oneOf('ParcelViewStatus', parcelViewStatuses),
    recipientName: t.string,
    address: ParcelAddress,
    weightKg: t.number,
    slaDeadline: t.string,
    slaBreached: t.boolean,
    breachedAt: nullable(t.string),
    /** The route and vehicle it is on now; null once released, returned or cancelled (kept once delivered). */
    routeId: nullable(t.string),
    vehicleId: nullable(t.string),
    /** Times it went out for delivery. */
    attempts: t.number,
    proofOfDelivery: nullable(ProofOfDeliveryView),
    lastFailure: nullable(DeliveryFailureView),
    /** While it is on a route, not yet delivered or failed: when its van is expected; null otherwise. */
    eta: nullable(ParcelEtaView),
    timeline: t.readonlyArray(ParcelTimelineEntry),
    registeredAt: t.string,
    /** The latest business time of its facts (UTC), the list order. */
    updatedAt: t.string,
    /** The last stream revision applied: an ETag for clients, a position for operators. */
    revision: t.number,
  },
  {
    /**
     * The latest proof image, once one was uploaded. Optional rather than null, against the rule above, so
     * that views written before proof images existed still decode without a rebuild of every parcel.
     */
    proofImage: ProofImageView,
  },
);
export type ParcelStatusView = t.TypeOf<typeof ParcelStatusView>;
