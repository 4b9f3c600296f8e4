// The bus port: how consumers receive events (and telemetry) without knowing the wiring. Embedded, a
// subscription is a catch-up read of the log with one checkpoint per consumer; in the cloud it is a
// Pub/Sub subscription with a filter, ordering keys and a dead-letter topic.
//
// Delivery is at least once. A consumer settles every delivery: `ack` when it is done with it (applied,
// or known already), `retry` when it cannot apply it yet (a transient failure, or a gap in the stream's
// revisions), `deadLetter` when it never will (a poison message). After `maxDeliveryAttempts` retries a
// delivery is dead-lettered with its last reason, and the consumer keeps going with the rest.
// Event subscriptions retry whatever the handler left unsettled when it returned; telemetry subscriptions
// (the embedded queue, Pub/Sub) let a delivery be settled later, until their ack deadline, so that the live
// map can ack a ping once a write covering it has committed.
import * as E from 'fp-ts/lib/Either.js';

export const maxDeliveryAttempts = 5;

export type Delivery<M> = {
  readonly message: M;
  /** 1 on first delivery. */
  readonly attempt: number;
  readonly ack: () => void;
  readonly retry: (reason: string) => void;
  readonly deadLetter: (reason: string) => void;
};

export type BatchHandler<M> = (deliveries: readonly Delivery<M>[]) => Promise<void>;

export type SubscriptionOptions = {
  readonly signal: AbortSignal;
  /** Most deliveries handed over at once (and outstanding, for flow control). */
  readonly maxBatch?: number;
};

/** Runs `handler` on batches of deliveries until the signal aborts; resolves when stopped. */
export type Subscription<M> = (handler: BatchHandler<M>, options: SubscriptionOptions) => Promise<void>;

/** A consumer of the event plane: its name (the subscription's) and the wire types it handles. */
export type ConsumerDefinition = {
  readonly name: string;
  /**
   * Every wire type of the streams the consumer follows. A consumer that follows a stream sees all of its
   * events, so it can tell a missing revision (a gap) from one it does not handle.
   */
  readonly eventTypes: readonly string[];
};

export type DeadLetter<M> = {
  readonly consumer: string;
  readonly message: M;
  readonly reason: string;
  readonly attempts: number;
  readonly deadLetteredAt: string;
};

/** A bounded publisher's refusal: it is full, took none of the batch, and says when to come back. */
export type Saturated = { readonly retryAfterSeconds: number };

/**
 * Publishes messages. Resolves right once every one is confirmed by the bus, or left (Saturated) when a
 * bounded publisher is full: an expected answer under load, not a failure. Rejects when the bus fails.
 */
export type Publisher<M> = {
  readonly publish: (messages: readonly M[]) => Promise<E.Either<Saturated, void>>;
  /**
   * When a bounded publisher is full: how long to wait. Lets an edge refuse a request before reading its
   * body, which is most of the cost of a refusal.
   */
  readonly saturated?: () => Saturated | undefined;
  readonly close: () => Promise<void>;
};

/** What a publish answers when the bus confirmed every message. */
export const published: E.Either<Saturated, void> = E.right(undefined);

/**
 * One publisher feeding several bounded ones (the embedded telemetry queue feeds the live map and the
 * archive). All or nothing: refused whole if any of them is full, so no consumer sees a batch another lost.
 */
export const fanOutPublisher = <M>(publishers: readonly Publisher<M>[]): Publisher<M> => ({
  saturated: () => publishers.map((p) => p.saturated?.()).find((s) => s !== undefined),
  publish: async (messages) => {
    const full = publishers.map((p) => p.saturated?.()).find((s) => s !== undefined);
    if (full !== undefined) return E.left(full);
    const answers = await Promise.all(publishers.map((p) => p.publish(messages)));
    return answers.find(E.isLeft) ?? published;
  },
  close: async () => {
    await Promise.all(publishers.map((p) => p.close()));
  },
});
