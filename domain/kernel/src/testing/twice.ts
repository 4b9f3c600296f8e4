// At-least-once delivery at its worst, for tests: every batch a subscription hands over is handed over twice,
// the first time with its settlements ignored (a consumer that worked, then died before its ack reached
// the bus), the second as delivered. A consumer is right under this only if its effects are idempotent.
import type { Delivery, Subscription } from '../bus.ts';

const unsettled = <M>(delivery: Delivery<M>): Delivery<M> => ({ ...delivery, ack: () => {}, retry: () => {}, deadLetter: () => {} });

export const deliveringTwice =
  <M>(subscription: Subscription<M>): Subscription<M> =>
  (handler, options) =>
    subscription(async (deliveries) => {
      await handler(deliveries.map(unsettled));
      await handler(deliveries);
    }, options);
