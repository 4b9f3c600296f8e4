// How often a consumer acked each message, for tests that must know when something the bus delivered again
// (after a seek, a redrive) has been handled: a condition to wait on, where the consumer's effects alone
// would show nothing (an idempotent consumer changes nothing on a redelivery).
import type { Subscription } from '../bus.ts';

export type AckCounts = {
  /** Acks of the message with this id so far. */
  readonly of: (id: string) => number;
};

/**
 * The subscription as it was, with every ack of a delivery counted by the message's id in `counts` (give
 * the same map again to keep counting across a consumer's restarts).
 */
export const countingAcks = <M>(
  subscription: Subscription<M>,
  idOf: (message: M) => string,
  counts: Map<string, number> = new Map(),
): { readonly subscription: Subscription<M> } & AckCounts => {
  const counted: Subscription<M> = (handler, options) =>
    subscription(
      (deliveries) =>
        handler(
          deliveries.map((delivery) => ({
            ...delivery,
            ack: () => {
              const id = idOf(delivery.message);
              counts.set(id, (counts.get(id) ?? 0) + 1);
              delivery.ack();
            },
          })),
        ),
      options,
    );
  return { subscription: counted, of: (id) => counts.get(id) ?? 0 };
};
