// What the API shows of the stored documents. An endpoint's view never holds its secret: only a fingerprint,
// so a client can tell which secret it holds, and when the secret was made. A delivery's view is its log.
import type { Logger } from '@meridian/kernel';
import { createHash } from 'node:crypto';
import type { AttemptRecord, DeliveryDocument, DeliveryStatus, EncryptedSecret, EndpointDocument } from '@meridian/webhooks';
import type { Secrets } from '../transport/secrets.ts';

export type SecretView = {
  /**
   * The last 4 hex digits of the SHA-256 of the secret (`whsec_...`): `printf %s "$SECRET" | sha256sum | cut -c61-64`.
   * Null when no configured key opens the secret (the key changed without the old one among the previous keys): the endpoint needs a rotation.
   */
  readonly fingerprint: string | null;
  readonly createdAt: string;
};

/** The stored endpoint with its secrets shown as fingerprints. */
export type EndpointView = Omit<EndpointDocument, 'secret' | 'previousSecret'> & {
  readonly secret: SecretView;
  /** The secret before the last rotation, while it is still valid (both signatures are sent until expiresAt). */
  readonly previousSecret: (SecretView & { readonly expiresAt: string }) | null;
};

export type ViewDeps = { readonly secrets: Secrets; readonly logger: Logger };

export const fingerprintOfSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(-4);

const secretView = ({ secrets, logger }: ViewDeps, endpointId: string, sealed: EncryptedSecret): SecretView => {
  try {
    return { fingerprint: fingerprintOfSecret(secrets.open(sealed)), createdAt: sealed.createdAt };
  } catch (error) {
    // Only the failure's kind is logged: the error of a cipher never holds the plaintext, but stays terse.
    logger.error('a webhook secret cannot be opened with the configured key', {
      endpointId,
      error: error instanceof Error ? error.name : typeof error,
    });
    return { fingerprint: null, createdAt: sealed.createdAt };
  }
};

export const endpointView = (deps: ViewDeps, endpoint: EndpointDocument, now: Date): EndpointView => {
  const previous = endpoint.previousSecret;
  const previousValid = previous !== null && Date.parse(previous.expiresAt) > now.getTime();
  return {
    endpointId: endpoint.endpointId,
    clientId: endpoint.clientId,
    url: endpoint.url,
    eventTypes: endpoint.eventTypes,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    failingSince: endpoint.failingSince,
    secret: secretView(deps, endpoint.endpointId, endpoint.secret),
    previousSecret: previousValid ? { ...secretView(deps, endpoint.endpointId, previous), expiresAt: previous.expiresAt } : null,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
    createdBy: endpoint.createdBy,
  };
};

export type AttemptView = AttemptRecord;

/** A delivery in a listing: what happened to it, without the payload. */
export type DeliverySummary = {
  readonly webhookId: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly parcelId: string;
  readonly streamRevision: number;
  readonly globalPosition: number;
  readonly status: DeliveryStatus;
  readonly attemptCount: number;
  readonly attempts: readonly AttemptView[];
  readonly nextAttemptAt: string | null;
  /** Why a dead delivery will not be sent again unless redelivered (schedule exhausted, endpoint disabled, ...). */
  readonly deadReason: string | null;
  /** The earlier delivery of the same parcel this one waits behind (deliveries of a parcel go in order). */
  readonly blockedBy: string | null;
  readonly replayId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** One delivery with the CloudEvent it sends, exactly as sent (the same bytes on every attempt). */
export type DeliveryView = DeliverySummary & { readonly payload: unknown };

const attemptView = (attempt: AttemptRecord): AttemptView => ({
  attempt: attempt.attempt,
  at: attempt.at,
  statusCode: attempt.statusCode,
  latencyMs: attempt.latencyMs,
  error: attempt.error,
  responseExcerpt: attempt.responseExcerpt,
});

export const deliverySummary = (delivery: DeliveryDocument): DeliverySummary => ({
  webhookId: delivery.webhookId,
  endpointId: delivery.endpointId,
  eventId: delivery.eventId,
  eventType: delivery.eventType,
  parcelId: delivery.parcelId,
  streamRevision: delivery.streamRevision,
  globalPosition: delivery.globalPosition,
  status: delivery.status,
  attemptCount: delivery.attempts.length,
  attempts: delivery.attempts.map(attemptView),
  nextAttemptAt: delivery.nextAttemptAt,
  deadReason: delivery.deadReason ?? null,
  blockedBy: delivery.blockedBy ?? null,
  replayId: delivery.replayId,
  createdAt: delivery.createdAt,
  updatedAt: delivery.updatedAt,
});

const payloadOf = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
};

export const deliveryView = (delivery: DeliveryDocument): DeliveryView => ({
  ...deliverySummary(delivery),
  payload: payloadOf(delivery.body),
});
