import { GeoPoint, Identifier, NonEmptyString, oneOf, PhoneNumber, struct } from '@meridian/kernel';
import * as t from 'io-ts';

export interface ParcelIdBrand {
  readonly ParcelId: unique symbol;
}
export const ParcelId = t.brand(Identifier, (_id): _id is t.Branded<Identifier, ParcelIdBrand> => true, 'ParcelId');
export type ParcelId = t.TypeOf<typeof ParcelId>;

/** The recipient as a command gives it: the phone number, optional, in E.164 (the SMS gateway texts it). */
export const Recipient = struct('Recipient', { name: NonEmptyString }, { phone: PhoneNumber, email: NonEmptyString });
export type Recipient = t.TypeOf<typeof Recipient>;

/**
 * The recipient as recorded: registrations from before E.164 was required may hold any non-blank text as the
 * phone number (the notifications take only an E.164 one), so the event's codec keeps accepting it.
 */
export const RecordedRecipient = struct(
  'RecordedRecipient',
  { name: NonEmptyString },
  { phone: t.union([PhoneNumber, NonEmptyString]), email: NonEmptyString },
);
export type RecordedRecipient = t.TypeOf<typeof RecordedRecipient>;

export const Address = struct(
  'Address',
  { line1: NonEmptyString, city: NonEmptyString, postalCode: NonEmptyString, country: NonEmptyString, location: GeoPoint },
  { line2: NonEmptyString },
);
export type Address = t.TypeOf<typeof Address>;

export const ProofOfDelivery = struct(
  'ProofOfDelivery',
  { kind: oneOf('ProofKind', ['signature', 'photo']), reference: NonEmptyString },
  { receivedBy: NonEmptyString },
);
export type ProofOfDelivery = t.TypeOf<typeof ProofOfDelivery>;

export const FailureReason = oneOf('FailureReason', [
  'recipient-absent',
  'address-not-found',
  'refused',
  'access-denied',
  'damaged',
  'other',
]);
export type FailureReason = t.TypeOf<typeof FailureReason>;

/** How many times a parcel may go out for delivery before it can only be returned. */
export const maxDeliveryAttempts = 3;
