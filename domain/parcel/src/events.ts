// Parcel events: past-tense facts. Each carries the parcel's clientId and enough state for a consumer
// (a read model, a client's webhook) to act without calling back.
import {
  eventCatalog,
  upcastFrom,
  GeoPoint,
  Identifier,
  IsoDateTime,
  Kilograms,
  NonEmptyString,
  struct,
  type DomainEvent,
} from '@meridian/kernel';
import * as t from 'io-ts';
import { ProofImageType, Sha256 } from './proof-image.ts';
import { Address, FailureReason, ParcelId, ProofOfDelivery, RecordedRecipient } from './values.ts';

const about = { parcelId: ParcelId, clientId: Identifier };

export const ParcelRegistered = struct('ParcelRegistered', {
  ...about,
  recipient: RecordedRecipient,
  address: Address,
  weightKg: Kilograms,
  slaDeadline: IsoDateTime,
  registeredAt: IsoDateTime,
});
export type ParcelRegistered = t.TypeOf<typeof ParcelRegistered>;

export const ParcelAssignedToRoute = struct('ParcelAssignedToRoute', { ...about, routeId: Identifier, assignedAt: IsoDateTime });
export type ParcelAssignedToRoute = t.TypeOf<typeof ParcelAssignedToRoute>;

export const ParcelReleasedFromRoute = struct(
  'ParcelReleasedFromRoute',
  { ...about, routeId: Identifier, releasedAt: IsoDateTime },
  { reason: NonEmptyString },
);
export type ParcelReleasedFromRoute = t.TypeOf<typeof ParcelReleasedFromRoute>;

/**
 * v2 (parcel.loaded.v2): `weightKg` became `loadKg`, the mass the load puts on the vehicle (what the fleet
 * sums against its capacity). v1 events stay in the log and are upcast as they are read.
 */
export const ParcelLoaded = struct('ParcelLoaded', {
  ...about,
  routeId: Identifier,
  vehicleId: Identifier,
  loadKg: Kilograms,
  loadedAt: IsoDateTime,
});
export type ParcelLoaded = t.TypeOf<typeof ParcelLoaded>;

/** parcel.loaded.v1, as the log still holds it. */
export const ParcelLoadedV1 = struct('ParcelLoadedV1', {
  ...about,
  routeId: Identifier,
  vehicleId: Identifier,
  weightKg: Kilograms,
  loadedAt: IsoDateTime,
});

export const ParcelOutForDelivery = struct('ParcelOutForDelivery', {
  ...about,
  routeId: Identifier,
  vehicleId: Identifier,
  attempt: t.number,
  address: Address,
  slaDeadline: IsoDateTime,
  startedAt: IsoDateTime,
});
export type ParcelOutForDelivery = t.TypeOf<typeof ParcelOutForDelivery>;

export const ParcelDelivered = struct('ParcelDelivered', {
  ...about,
  routeId: Identifier,
  vehicleId: Identifier,
  attempt: t.number,
  proof: ProofOfDelivery,
  location: GeoPoint,
  deliveredAt: IsoDateTime,
});
export type ParcelDelivered = t.TypeOf<typeof ParcelDelivered>;

export const ParcelDeliveryAttemptFailed = struct(
  'ParcelDeliveryAttemptFailed',
  {
    ...about,
    routeId: Identifier,
    vehicleId: Identifier,
    attempt: t.number,
    attemptsLeft: t.number,
    reason: FailureReason,
    failedAt: IsoDateTime,
  },
  { note: NonEmptyString, location: GeoPoint },
);
export type ParcelDeliveryAttemptFailed = t.TypeOf<typeof ParcelDeliveryAttemptFailed>;

export const ParcelReturnedToDepot = struct(
  'ParcelReturnedToDepot',
  { ...about, returnedAt: IsoDateTime },
  { routeId: Identifier, vehicleId: Identifier, reason: NonEmptyString },
);
export type ParcelReturnedToDepot = t.TypeOf<typeof ParcelReturnedToDepot>;

export const ParcelCancelled = struct(
  'ParcelCancelled',
  { ...about, reason: NonEmptyString, cancelledAt: IsoDateTime },
  { routeId: Identifier },
);
export type ParcelCancelled = t.TypeOf<typeof ParcelCancelled>;

export const ParcelSlaBreached = struct('ParcelSlaBreached', {
  ...about,
  slaDeadline: IsoDateTime,
  breachedAt: IsoDateTime,
  /** The parcel's status when the breach was found: delivered late, or still on its way. */
  status: t.string,
});
export type ParcelSlaBreached = t.TypeOf<typeof ParcelSlaBreached>;

/**
 * An image proving the delivery (a photo, a signature) was stored for a delivered parcel: its blob's key
 * (content-addressed by its sha256), its type as its bytes say, its size. Links to it are made by the APIs.
 */
export const PodImageReceived = struct('PodImageReceived', {
  ...about,
  key: NonEmptyString,
  contentType: ProofImageType,
  sizeBytes: t.number,
  sha256: Sha256,
  receivedAt: IsoDateTime,
});
export type PodImageReceived = t.TypeOf<typeof PodImageReceived>;

export type ParcelEvent =
  | DomainEvent<'ParcelRegistered', ParcelRegistered>
  | DomainEvent<'ParcelAssignedToRoute', ParcelAssignedToRoute>
  | DomainEvent<'ParcelReleasedFromRoute', ParcelReleasedFromRoute>
  | DomainEvent<'ParcelLoaded', ParcelLoaded>
  | DomainEvent<'ParcelOutForDelivery', ParcelOutForDelivery>
  | DomainEvent<'ParcelDelivered', ParcelDelivered>
  | DomainEvent<'ParcelDeliveryAttemptFailed', ParcelDeliveryAttemptFailed>
  | DomainEvent<'ParcelReturnedToDepot', ParcelReturnedToDepot>
  | DomainEvent<'ParcelCancelled', ParcelCancelled>
  | DomainEvent<'ParcelSlaBreached', ParcelSlaBreached>
  | DomainEvent<'PodImageReceived', PodImageReceived>;

export const parcelEvents = eventCatalog<ParcelEvent>(
  'parcel',
  {
    ParcelRegistered: { wireType: 'parcel.registered.v1', data: ParcelRegistered },
    ParcelAssignedToRoute: { wireType: 'parcel.assigned-to-route.v1', data: ParcelAssignedToRoute },
    ParcelReleasedFromRoute: { wireType: 'parcel.released-from-route.v1', data: ParcelReleasedFromRoute },
    ParcelLoaded: { wireType: 'parcel.loaded.v2', data: ParcelLoaded },
    ParcelOutForDelivery: { wireType: 'parcel.out-for-delivery.v1', data: ParcelOutForDelivery },
    ParcelDelivered: { wireType: 'parcel.delivered.v1', data: ParcelDelivered },
    ParcelDeliveryAttemptFailed: { wireType: 'parcel.delivery-attempt-failed.v1', data: ParcelDeliveryAttemptFailed },
    ParcelReturnedToDepot: { wireType: 'parcel.returned-to-depot.v1', data: ParcelReturnedToDepot },
    ParcelCancelled: { wireType: 'parcel.cancelled.v1', data: ParcelCancelled },
    ParcelSlaBreached: { wireType: 'parcel.sla-breached.v1', data: ParcelSlaBreached },
    PodImageReceived: { wireType: 'parcel.proof-received.v1', data: PodImageReceived },
  },
  {
    'parcel.loaded.v1': upcastFrom<ParcelEvent, typeof ParcelLoadedV1>('ParcelLoaded', ParcelLoadedV1, ({ weightKg, ...v1 }) => ({
      ...v1,
      loadKg: weightKg,
    })),
  },
);
