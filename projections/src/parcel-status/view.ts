// The ParcelStatusView document: one per parcel, what a client or an operator asks about "where is my
// parcel". Plain JSON types (no brands): this is a published shape, read back from stores as it was written.
// Top-level fields that may not apply yet are null, never absent, so the shape is stable and `== null` is
// queryable; value objects copied from events (address) keep their optional fields optional.
import type { FailureReason, ParcelStatus } from '@meridian/parcel';

/** The parcel lifecycle's status names (a view only exists once the parcel is registered). */
export type ParcelViewStatus = Exclude<ParcelStatus, 'Unregistered'>;

export const parcelViewStatuses: readonly ParcelViewStatus[] = [
  'Registered',
  'AssignedToRoute',
  'Loaded',
  'OutForDelivery',
  'AttemptFailed',
  'Delivered',
  'ReturnedToDepot',
  'Cancelled',
];

export type ParcelLocation = { readonly lat: number; readonly lng: number };

export type ParcelAddress = {
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly postalCode: string;
  readonly country: string;
  readonly location: ParcelLocation;
};

export type ProofOfDeliveryView = {
  readonly kind: 'signature' | 'photo';
  readonly reference: string;
  readonly receivedBy: string | null;
  readonly location: ParcelLocation;
  readonly deliveredAt: string;
};

export type DeliveryFailureView = {
  readonly reason: FailureReason;
  readonly at: string;
  readonly attempt: number;
  readonly attemptsLeft: number;
  readonly note: string | null;
  readonly location: ParcelLocation | null;
};

/** One fact in the parcel's history: its wire type, its business time, its stream revision. */
export type ParcelTimelineEntry = { readonly type: string; readonly at: string; readonly revision: number };

export type ParcelStatusView = {
  readonly parcelId: string;
  readonly clientId: string;
  readonly status: ParcelViewStatus;
  readonly recipientName: string;
  readonly address: ParcelAddress;
  readonly weightKg: number;
  readonly slaDeadline: string;
  readonly slaBreached: boolean;
  readonly breachedAt: string | null;
  /** The route and vehicle it is on now; null once released, returned or cancelled (kept once delivered). */
  readonly routeId: string | null;
  readonly vehicleId: string | null;
  /** Times it went out for delivery. */
  readonly attempts: number;
  readonly proofOfDelivery: ProofOfDeliveryView | null;
  readonly lastFailure: DeliveryFailureView | null;
  readonly timeline: readonly ParcelTimelineEntry[];
  readonly registeredAt: string;
  /** The latest business time of its facts (UTC), the list order. */
  readonly updatedAt: string;
  /** The last stream revision applied: an ETag for clients, a position for operators. */
  readonly revision: number;
};
