// The embedded telemetry queue: what the Pub/Sub topic `vehicle-telemetry` and its subscription are in the
// cloud, in one process. It is bounded: a batch that does not fit is refused whole (Saturated) (the
// HTTP edge answers 503 with Retry-After), so a slow consumer costs the senders a retry, never the process
// its memory. A message is held from publish until it is acked or dead-lettered, so deliveries handed out
// and not settled yet count against the capacity too.
//
// Settling follows Pub/Sub rather than the log subscription: a delivery may be settled after the handler
// returned (the live map acks a ping only once a write covering it committed). `maxBatch` bounds both the
// batch handed over and the deliveries outstanding. A delivery left unsettled past the ack deadline is
// retried, as Pub/Sub would redeliver it. Order is not kept: a retried message comes back behind the others.
import * as E from 'fp-ts/lib/Either.js';
import { maxDeliveryAttempts, published, type DeadLetter, type Delivery, type Publisher, type Subscription } from '@meridian/kernel';

export type BoundedQueueOptions<M> = {
  /** The most messages held at once: waiting, handed out, or waiting to come back after a retry. */
  readonly capacity: number;
  /** What a refused publisher is told to wait, in seconds (default 1). */
  readonly retryAfterSeconds?: number;
  /** A delivery neither acked nor retried this long after it was handed out is retried (default 30 s). */
  readonly ackDeadlineMs?: number;
  /** How long a retried message waits before it comes back, times its attempt (default 100 ms). */
  readonly retryDelayMs?: number;
  /** The consumer named in dead letters (default 'live-map-projector'). */
  readonly consumer?: string;
  /** Told of each dead letter; the queue keeps none (a stale position is worth nothing later). */
  readonly onDeadLetter?: (letter: DeadLetter<M>) => void;
  readonly now?: () => Date;
};

export type BoundedQueue<M> = {
  readonly publisher: Publisher<M>;
  readonly subscription: Subscription<M>;
  /** Messages held now (see `capacity`). */
  readonly size: () => number;
};

/** One subscriber's deliveries outstanding, for its flow control. */
type Consumer = { outstanding: number };

/** A batch handed out: its deliveries still unsettled, and the ack deadline's timer. */
type HandedOut<M> = { unsettled: number; timer: NodeJS.Timeout | undefined; readonly deliveries: Delivery<M>[] };

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const assertCapacity = (capacity: number) => {
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new RangeError(`the queue capacity must be a positive integer, got ${capacity}`);
};

export const createBoundedQueue = <M>(options: BoundedQueueOptions<M>): BoundedQueue<M> => {
  const {
    capacity,
    retryAfterSeconds = 1,
    ackDeadlineMs = 30_000,
    retryDelayMs = 100,
    consumer: consumerName = 'in-process-queue',
  } = options;
  const now = options.now ?? (() => new Date());
  assertCapacity(capacity);

  // Waiting messages live in a ring of fixed size with their attempts so far beside them: publishing
  // writes into slots and allocates nothing per message. It never overflows, as waiting <= held <= capacity.
  const ring: (M | undefined)[] = new Array<M | undefined>(capacity).fill(undefined);
  const attempts = new Uint8Array(capacity);
  let head = 0;
  let waiting = 0;
  let held = 0;
  let closed = false;
  let wakers: (() => void)[] = [];

  const enqueue = (message: M, attemptsSoFar: number) => {
    const slot = (head + waiting) % capacity;
    ring[slot] = message;
    attempts[slot] = attemptsSoFar;
    waiting++;
  };

  /** Subscribers waiting for work (a message, or room under their maxBatch) look again. */
  const wake = () => {
    if (wakers.length === 0) return;
    const woken = wakers;
    wakers = [];
    for (const resume of woken) resume();
  };

  const nextChange = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const resume = () => {
        signal.removeEventListener('abort', resume);
        resolve();
      };
      wakers.push(resume);
      signal.addEventListener('abort', resume, { once: true });
    });

  const deadLetter = (message: M, attempt: number, reason: string) => {
    held--;
    options.onDeadLetter?.({ consumer: consumerName, message, reason, attempts: attempt, deadLetteredAt: now().toISOString() });
  };

  const retryLater = (message: M, attempt: number, reason: string) => {
    if (attempt >= maxDeliveryAttempts) return deadLetter(message, attempt, reason);
    // Still held while it waits: the capacity is what the queue may hold, whatever its state.
    const timer = setTimeout(() => {
      enqueue(message, attempt);
      wake();
    }, retryDelayMs * attempt);
    timer.unref();
  };

  const deliveryOf = (consumer: Consumer, batch: HandedOut<M>, message: M, attempt: number): Delivery<M> => {
    let settled = false;
    /** The first settlement wins; later ones are ignored, as the Delivery type says. */
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      consumer.outstanding--;
      if (--batch.unsettled === 0) clearTimeout(batch.timer);
      wake();
      return true;
    };
    return {
      message,
      attempt,
      ack: () => {
        if (settle()) held--;
      },
      retry: (reason) => {
        if (settle()) retryLater(message, attempt, reason);
      },
      deadLetter: (reason) => {
        if (settle()) deadLetter(message, attempt, reason);
      },
    };
  };

  const handOut = (consumer: Consumer, count: number): HandedOut<M> => {
    const batch: HandedOut<M> = { unsettled: count, timer: undefined, deliveries: new Array<Delivery<M>>(count) };
    for (let i = 0; i < count; i++) {
      const message = ring[head];
      // `waiting` counts the filled slots from `head` on: a hole there is a bug of this queue.
      if (message === undefined) throw new Error(`the queue's ring has a hole at ${head} with ${waiting} waiting`);
      const attempt = (attempts[head] ?? 0) + 1;
      ring[head] = undefined;
      head = (head + 1) % capacity;
      waiting--;
      batch.deliveries[i] = deliveryOf(consumer, batch, message, attempt);
    }
    consumer.outstanding += count;
    batch.timer = setTimeout(() => {
      for (const delivery of batch.deliveries) delivery.retry('the ack deadline passed');
    }, ackDeadlineMs);
    batch.timer.unref();
    return batch;
  };

  const publisher: Publisher<M> = {
    publish: async (messages) => {
      if (closed) throw new Error('the telemetry queue is closed');
      if (messages.length > capacity) throw new RangeError(`a batch of ${messages.length} can never fit a queue of ${capacity}`);
      // All or nothing: a batch that does not fit whole is refused whole, so a retry sends it again as is.
      if (held + messages.length > capacity) return E.left({ retryAfterSeconds });
      for (const message of messages) enqueue(message, 0);
      held += messages.length;
      wake();
      return published;
    },
    saturated: () => (held >= capacity ? { retryAfterSeconds } : undefined),
    close: async () => {
      closed = true;
    },
  };

  const subscription: Subscription<M> = async (handler, { signal, maxBatch = 1000 }) => {
    const consumer: Consumer = { outstanding: 0 };
    while (!signal.aborted) {
      const room = maxBatch - consumer.outstanding;
      if (waiting === 0 || room <= 0) {
        await nextChange(signal);
        continue;
      }
      const batch = handOut(consumer, Math.min(waiting, room));
      try {
        await handler(batch.deliveries);
      } catch (error) {
        for (const delivery of batch.deliveries) delivery.retry(reasonOf(error));
      }
    }
  };

  return { publisher, subscription, size: () => held };
};
