// A client's webhook endpoint as data: the document the endpoints API writes and the dispatcher reads (a typed
// collection, so every reader gets it decoded), which events it receives, and each change its owner makes,
// as a pure function of the endpoint as it is. The dispatcher's own changes (failing, disabled, recovered)
// are part of a delivery's transitions (transitions.ts).
import { collection, struct } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import * as t from 'io-ts';

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

/** A signing secret, encrypted at rest (AES-256-GCM with the key from configuration); never logged. */
export const EncryptedSecret = t.readonly(
  struct('EncryptedSecret', {
    /** base64 of iv (12 bytes) + ciphertext + tag (16 bytes). */
    sealed: t.string,
    createdAt: t.string,
  }),
  'EncryptedSecret',
);
export type EncryptedSecret = t.TypeOf<typeof EncryptedSecret>;

/** The secret before a rotation: it stays valid (both signatures are sent) until it expires. */
export const ExpiringSecret = t.readonly(
  struct('ExpiringSecret', { sealed: t.string, createdAt: t.string, expiresAt: t.string }),
  'ExpiringSecret',
);
export type ExpiringSecret = t.TypeOf<typeof ExpiringSecret>;

export const EndpointDocument = t.readonly(
  struct('WebhookEndpoint', {
    endpointId: t.string,
    /** The client whose parcels' events the endpoint receives; set from the key for client principals. */
    clientId: t.string,
    url: t.string,
    /** Wire types (`parcel.delivered.v1`), or ["*"] for every parcel event. */
    eventTypes: t.readonlyArray(t.string),
    description: nullable(t.string),
    enabled: t.boolean,
    /** Why the platform disabled it (410 Gone, failing for days), or null. */
    disabledReason: nullable(t.string),
    /** The current secret; during a rotation, `previousSecret` stays valid until it expires. */
    secret: EncryptedSecret,
    previousSecret: nullable(ExpiringSecret),
    /** Since when deliveries have failed without a success in between (to disable an endpoint failing for days). */
    failingSince: nullable(t.string),
    createdAt: t.string,
    updatedAt: t.string,
    createdBy: t.string,
  }),
  'WebhookEndpoint',
);
export type EndpointDocument = t.TypeOf<typeof EndpointDocument>;

/** Endpoints, by id, with the indexes their queries need (equality fields first, then the order field). */
export const webhookEndpoints = collection('webhook-endpoints', EndpointDocument, {
  indexes: [
    // The fan-out: the endpoints of a batch's clients.
    ['clientId'],
    // The endpoints API: a client's own endpoints, or (admin) everyone's, newest first.
    ['clientId', 'createdAt'],
    ['createdAt'],
  ],
});

/** `["*"]` subscribes to every parcel event, present and future. */
export const allEventTypes = '*';

/** An endpoint receives the events recorded since it was registered, of its types, while enabled (earlier history comes by replay). */
export const endpointWants = (endpoint: EndpointDocument, event: { readonly type: string; readonly recordedAt: string }): boolean =>
  endpoint.enabled &&
  (endpoint.eventTypes.includes(allEventTypes) || endpoint.eventTypes.includes(event.type)) &&
  endpoint.createdAt <= event.recordedAt;

/** The parcel wire types an endpoint subscribes to ("*": every one). */
export const subscribedWireTypes = (endpoint: EndpointDocument): readonly string[] =>
  endpoint.eventTypes.includes(allEventTypes) ? parcelEvents.wireTypes : endpoint.eventTypes.filter((type) => parcelEvents.handles(type));

export type NewEndpoint = {
  readonly endpointId: string;
  readonly clientId: string;
  /** The URL as the destination check read it (normalised): what is checked is what is called. */
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description?: string | null;
  readonly enabled?: boolean;
  readonly secret: EncryptedSecret;
  readonly principalId: string;
  readonly now: Date;
};

export const newEndpoint = ({
  endpointId,
  clientId,
  url,
  eventTypes,
  description,
  enabled,
  secret,
  principalId,
  now,
}: NewEndpoint): EndpointDocument => ({
  endpointId,
  clientId,
  url,
  eventTypes,
  description: description ?? null,
  enabled: enabled ?? true,
  disabledReason: null,
  secret,
  previousSecret: null,
  failingSince: null,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  createdBy: principalId,
});

/** What an owner may change of an endpoint; absent fields stay as they are. */
export type EndpointChange = {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly description?: string | null;
  readonly enabled?: boolean;
};

/**
 * Re-enabling ends what disabled it: the platform's reason, and the failing streak the dispatcher counts
 * from (else an endpoint failing for days would be disabled again by its first failure). A new URL starts
 * a new streak too: the old URL's failures say nothing of it.
 */
export const updatedEndpoint = (current: EndpointDocument, change: EndpointChange, now: Date): EndpointDocument => {
  const reenabled = change.enabled === true && !current.enabled;
  const moved = change.url !== undefined && change.url !== current.url;
  return {
    ...current,
    ...(change.url !== undefined && { url: change.url }),
    ...(change.eventTypes !== undefined && { eventTypes: change.eventTypes }),
    ...(change.description !== undefined && { description: change.description }),
    ...(change.enabled !== undefined && { enabled: change.enabled }),
    ...(reenabled && { disabledReason: null }),
    ...((reenabled || moved) && { failingSince: null }),
    updatedAt: now.toISOString(),
  };
};

/**
 * The new secret becomes current; the current one stays valid until `previousExpiresAt` (null: at once,
 * for a leaked secret). A rotation during another's grace period ends the older secret at once: at most
 * two secrets are ever valid, and a receiver that took the last rotation's secret keeps working.
 */
export const rotatedEndpoint = (
  current: EndpointDocument,
  secret: EncryptedSecret,
  previousExpiresAt: string | null,
  now: Date,
): EndpointDocument => ({
  ...current,
  secret,
  previousSecret: previousExpiresAt === null ? null : { ...current.secret, expiresAt: previousExpiresAt },
  updatedAt: now.toISOString(),
});
