// Parcel commands: imperative names, data decoded once at the edge with these codecs.
import { type Command, IsoDateTime, GeoPoint, Identifier, Kilograms, NonEmptyString, struct } from '@meridian/kernel';
import type * as t from 'io-ts';
import { ProofImage } from './proof-image.ts';
import { Address, FailureReason, ParcelId, ProofOfDelivery, Recipient } from './values.ts';

export const RegisterParcel = struct('RegisterParcel', {
  parcelId: ParcelId,
  clientId: Identifier,
  recipient: Recipient,
  address: Address,
  weightKg: Kilograms,
  slaDeadline: IsoDateTime,
});
export type RegisterParcel = t.TypeOf<typeof RegisterParcel>;

export const AssignParcelToRoute = struct('AssignParcelToRoute', { parcelId: ParcelId, routeId: Identifier });
export type AssignParcelToRoute = t.TypeOf<typeof AssignParcelToRoute>;

export const ReleaseParcelFromRoute = struct(
  'ReleaseParcelFromRoute',
  { parcelId: ParcelId, routeId: Identifier },
  { reason: NonEmptyString },
);
export type ReleaseParcelFromRoute = t.TypeOf<typeof ReleaseParcelFromRoute>;

export const LoadParcel = struct('LoadParcel', { parcelId: ParcelId, vehicleId: Identifier });
export type LoadParcel = t.TypeOf<typeof LoadParcel>;

export const StartParcelDelivery = struct('StartParcelDelivery', { parcelId: ParcelId });
export type StartParcelDelivery = t.TypeOf<typeof StartParcelDelivery>;

export const DeliverParcel = struct(
  'DeliverParcel',
  { parcelId: ParcelId, proof: ProofOfDelivery, location: GeoPoint },
  { deliveredAt: IsoDateTime },
);
export type DeliverParcel = t.TypeOf<typeof DeliverParcel>;

export const FailDeliveryAttempt = struct(
  'FailDeliveryAttempt',
  { parcelId: ParcelId, reason: FailureReason },
  { note: NonEmptyString, location: GeoPoint },
);
export type FailDeliveryAttempt = t.TypeOf<typeof FailDeliveryAttempt>;

export const ReturnParcelToDepot = struct('ReturnParcelToDepot', { parcelId: ParcelId }, { reason: NonEmptyString });
export type ReturnParcelToDepot = t.TypeOf<typeof ReturnParcelToDepot>;

/**
 * The route the parcel was planned on is over (finished or cancelled): if the parcel is still on it and not
 * delivered, it goes back to the depot (returned from the vehicle, or released if it was never loaded); a
 * parcel delivered, cancelled or on another route stays as it is. Sent by the platform's reaction to the
 * route's end, which cannot tell which of its parcels were delivered: the parcel decides.
 */
export const ReturnUndeliveredParcel = struct(
  'ReturnUndeliveredParcel',
  { parcelId: ParcelId, routeId: Identifier },
  { reason: NonEmptyString },
);
export type ReturnUndeliveredParcel = t.TypeOf<typeof ReturnUndeliveredParcel>;

export const CancelParcel = struct('CancelParcel', { parcelId: ParcelId, reason: NonEmptyString });
export type CancelParcel = t.TypeOf<typeof CancelParcel>;

export const RecordParcelSlaBreach = struct('RecordParcelSlaBreach', { parcelId: ParcelId });
export type RecordParcelSlaBreach = t.TypeOf<typeof RecordParcelSlaBreach>;

/** Records an image proving the delivery, stored already (the upload route stores it, then sends this). */
export const RecordProofImage = struct('RecordProofImage', { parcelId: ParcelId, image: ProofImage });
export type RecordProofImage = t.TypeOf<typeof RecordProofImage>;

export type ParcelCommand =
  | Command<'RegisterParcel', RegisterParcel>
  | Command<'AssignParcelToRoute', AssignParcelToRoute>
  | Command<'ReleaseParcelFromRoute', ReleaseParcelFromRoute>
  | Command<'LoadParcel', LoadParcel>
  | Command<'StartParcelDelivery', StartParcelDelivery>
  | Command<'DeliverParcel', DeliverParcel>
  | Command<'FailDeliveryAttempt', FailDeliveryAttempt>
  | Command<'ReturnParcelToDepot', ReturnParcelToDepot>
  | Command<'ReturnUndeliveredParcel', ReturnUndeliveredParcel>
  | Command<'CancelParcel', CancelParcel>
  | Command<'RecordParcelSlaBreach', RecordParcelSlaBreach>
  | Command<'RecordProofImage', RecordProofImage>;

/** Every command's data codec, by command type: what the edge decodes requests with. */
export const parcelCommands = {
  RegisterParcel,
  AssignParcelToRoute,
  ReleaseParcelFromRoute,
  LoadParcel,
  StartParcelDelivery,
  DeliverParcel,
  FailDeliveryAttempt,
  ReturnParcelToDepot,
  ReturnUndeliveredParcel,
  CancelParcel,
  RecordParcelSlaBreach,
  RecordProofImage,
} as const;
