// A queue in memory behind the bus ports, for tests of telemetry consumers above the port (the live map):
// messages are held from publish until settled, handed out in batches of at most `maxBatch` outstanding,
// settled after the handler returned if the consumer likes, and a retried message comes back behind the
// others after a short delay. No capacity and no ack deadline: the embedded queue (adapters/embedded) has
// those, and its own tests.
import { published, type Delivery, type Publisher, type Subscription } from '../bus.ts';

export type TestQueue<M> = {
  readonly publisher: Publisher<M>;
  readonly subscription: Subscription<M>;
  /** Messages held: waiting, handed out and not settled, or waiting to come back after a retry. */
  readonly size: () => number;
};

export const createTestQueue = <M>({ retryDelayMs = 5 }: { readonly retryDelayMs?: number } = {}): TestQueue<M> => {
  const waiting: { message: M; attempt: number }[] = [];
  let held = 0;
  let outstanding = 0;
  let wakers: (() => void)[] = [];
  const wake = () => {
    const woken = wakers;
    wakers = [];
    woken.forEach((resume) => resume());
  };
  const nextChange = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      wakers.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  const deliveryOf = (message: M, attempt: number): Delivery<M> => {
    let settled = false;
    const settle = (then: () => void) => () => {
      if (settled) return;
      settled = true;
      outstanding--;
      then();
      wake();
    };
    const done = settle(() => held--);
    return {
      message,
      attempt,
      ack: done,
      deadLetter: done,
      retry: settle(() => void setTimeout(() => (waiting.push({ message, attempt: attempt + 1 }), wake()), retryDelayMs)),
    };
  };
  const subscription: Subscription<M> = async (handler, { signal, maxBatch = 1000 }) => {
    while (!signal.aborted) {
      const room = maxBatch - outstanding;
      if (waiting.length === 0 || room <= 0) {
        await nextChange(signal);
        continue;
      }
      const batch = waiting.splice(0, room).map(({ message, attempt }) => deliveryOf(message, attempt));
      outstanding += batch.length;
      try {
        await handler(batch);
      } catch (error) {
        batch.forEach((delivery) => delivery.retry(error instanceof Error ? error.message : String(error)));
      }
    }
  };
  return {
    publisher: {
      publish: async (messages) => {
        waiting.push(...messages.map((message) => ({ message, attempt: 1 })));
        held += messages.length;
        wake();
        return published;
      },
      close: async () => undefined,
    },
    subscription,
    size: () => held,
  };
};
