// The webhooks' data, as the document store keeps it. Shared by the endpoints API (which writes endpoints
// and reads deliveries) and the dispatcher (which reads endpoints and writes deliveries and attempts).

/** Collections of the document store. */
export const webhookCollections = {
  endpoints: 'webhook-endpoints',
  deliveries: 'webhook-deliveries',
} as const;

/** A signing secret, encrypted at rest (AES-256-GCM with the key from configuration); never logged. */
export type EncryptedSecret = {
  /** base64 of iv (12 bytes) + ciphertext + tag (16 bytes). */
  readonly sealed: string;
  readonly createdAt: string;
};

export type EndpointDocument = {
  readonly endpointId: string;
  /** The client whose parcels' events the endpoint receives; set from the key for client principals. */
  readonly clientId: string;
  readonly url: string;
  /** Wire types (`parcel.delivered.v1`), or ["*"] for every parcel event. */
  readonly eventTypes: readonly string[];
  readonly description: string | null;
  readonly enabled: boolean;
  /** Why the platform disabled it (410 Gone, failing for days), or null. */
  readonly disabledReason: string | null;
  /** The current secret; during a rotation, `previous` stays valid (both signatures are sent) until it expires. */
  readonly secret: EncryptedSecret;
  readonly previousSecret: (EncryptedSecret & { readonly expiresAt: string }) | null;
  /** Since when deliveries have failed without a success in between (to disable an endpoint failing for days). */
  readonly failingSince: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string;
};

export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'dead';

export type AttemptRecord = {
  readonly attempt: number;
  readonly at: string;
  /** The receiver's status code, or null when no response came (timeout, refused, SSRF refusal). */
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  /** The first bytes of the response body, capped. */
  readonly responseExcerpt: string | null;
};

export type DeliveryDocument = {
  /** The Standard Webhooks `webhook-id`: stable across retries (uuidFromName(endpointId/eventId[/replayId])). */
  readonly webhookId: string;
  readonly endpointId: string;
  readonly clientId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly parcelId: string;
  /**
   * `${endpointId}|${parcelId}`: deliveries of one lane go out in stream order, one at a time. A replay's
   * deliveries have lanes of their own (`|${replayId}` appended), and so has each test event.
   */
  readonly lane: string;
  readonly streamRevision: number;
  readonly globalPosition: number;
  /** The CloudEvent (structured mode) exactly as it is POSTed, serialised once so retries send the same bytes. */
  readonly body: string;
  readonly status: DeliveryStatus;
  readonly attempts: readonly AttemptRecord[];
  /** When the next attempt is due (epoch ms as ISO), or null when delivered/dead. */
  readonly nextAttemptAt: string | null;
  /** A delivering attempt's lease: after a crash, the delivery is due again once it passes. */
  readonly leaseUntil: string | null;
  /** Set when this delivery was made by a replay or backfill (a new webhook-id for the same event). */
  readonly replayId: string | null;
  // Added by the dispatcher. Optional so that deliveries made elsewhere (fixtures, older documents) need not
  // carry them: the dispatcher always writes them and reads a missing one as null (or empty).
  // Firestore's `== null` does not match a missing field, so deliveries must be made with newDelivery().
  /**
   * The webhook-id of an earlier delivery of the same lane that is not delivered yet: this one waits for it
   * (and has no nextAttemptAt meanwhile). A dead delivery keeps blocking its lane until it is redelivered.
   */
  readonly blockedBy?: string | null;
  /** The deliveries of this lane waiting for this one (their blockedBy): released when it is delivered. */
  readonly waiting?: readonly string[];
  /** Why the delivery is dead: the schedule ran out, 410 Gone, the endpoint was disabled or deleted. */
  readonly deadReason?: string | null;
  /** Index in `attempts` where the current round of the retry schedule began (a redelivery starts a new one). */
  readonly roundStart?: number;
  /** When the current lease was taken (the attempt in flight), or null. */
  readonly leasedAt?: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
};
