// What the endpoints API needs from the dispatcher's core, as types: the two halves of the package are
// written side by side and meet here. (Implementations: secrets.ts, destinations.ts, operations.ts.)
import type { DocumentStore, EventStore, Logger } from '@meridian/kernel';
import type * as E from 'fp-ts/lib/Either.js';
import type { DeliveryDocument, EncryptedSecret, EndpointDocument } from './model.ts';

/** secrets.ts */
export type Secrets = {
  /** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
  readonly generate: () => string;
  readonly seal: (secret: string, now: Date) => EncryptedSecret;
  /** Opens with the current key or a previous one; throws (naming no secret) when none opens it. */
  readonly open: (sealed: EncryptedSecret) => string;
  /**
   * The same secret sealed under the current key (its createdAt kept) when a previous key sealed it;
   * undefined when the current key did. Throws as `open` does.
   */
  readonly reseal: (sealed: EncryptedSecret) => EncryptedSecret | undefined;
};

/** destinations.ts: where a webhook may be sent (SSRF protection), checked at registration and at delivery. */
export type DestinationPolicy = {
  /** http:// is refused unless this is set (development and tests). */
  readonly allowHttp: boolean;
  /** Hosts, IPs or CIDRs allowed even though they are private, loopback or link-local (e.g. 127.0.0.1/32). */
  readonly allow: readonly string[];
};

export type CheckedDestination = { readonly url: URL; readonly addresses: readonly string[] };

export type CheckDestination = (url: string, policy: DestinationPolicy) => Promise<E.Either<string, CheckedDestination>>;

/** operations.ts: what the API asks the dispatcher to do. All are idempotent or say what they did. */
export type DispatcherOperations = {
  /** Queues a `meridian.webhook.test.v1` CloudEvent for the endpoint (its own lane), returns its delivery. */
  readonly sendTest: (endpoint: EndpointDocument) => Promise<DeliveryDocument>;
  /** Makes a delivered or dead delivery due again at once, with the same webhook-id. */
  readonly redeliver: (webhookId: string) => Promise<DeliveryDocument | undefined>;
  /** Queues the endpoint's matching events from the log, from a position or a time, under a new replay id. */
  readonly replay: (
    endpoint: EndpointDocument,
    from: { readonly position: number } | { readonly time: string },
  ) => Promise<{ readonly replayId: string; readonly queued: number }>;
};

export type DispatcherDeps = {
  readonly documents: DocumentStore;
  readonly log: EventStore;
  readonly secrets: Secrets;
  readonly policy: DestinationPolicy;
  readonly logger: Logger;
  readonly now?: () => Date;
};
