// The embedded queue as the bus port promises: bounded, all-or-nothing publishing, batches under flow
// control, settle-once deliveries, retries that come back, dead letters after the last attempt.
import { maxDeliveryAttempts, type DeadLetter, type Delivery, type Subscription } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import test from 'ava';
import { createBoundedQueue } from './queue.ts';

const numbers = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Takes `count` messages off a subscription, acking each. */
const take = async <M>(subscription: Subscription<M>, count: number, maxBatch?: number): Promise<M[]> => {
  const taken: M[] = [];
  const controller = new AbortController();
  await subscription(
    async (deliveries) => {
      for (const delivery of deliveries) {
        taken.push(delivery.message);
        delivery.ack();
      }
      if (taken.length >= count) controller.abort();
    },
    { signal: controller.signal, ...(maxBatch !== undefined && { maxBatch }) },
  );
  return taken;
};

/** Waits until `condition` holds (polling), failing after `timeoutMs`; never a claim about speed. */
const eventually = async (condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

test('a batch that does not fit is refused whole (Saturated, an answer, not a throw); the queue never holds more than its capacity', async (t) => {
  const queue = createBoundedQueue<number>({ capacity: 10, retryAfterSeconds: 3 });
  t.deepEqual(await queue.publisher.publish(numbers(0, 8)), E.right(undefined));
  t.deepEqual(await queue.publisher.publish(numbers(8, 3)), E.left({ retryAfterSeconds: 3 }));
  t.is(queue.size(), 8, 'nothing of the refused batch was taken');
  await queue.publisher.publish(numbers(8, 2));
  t.is(queue.size(), 10);
  t.deepEqual(await take(queue.subscription, 10), numbers(0, 10));
  t.is(queue.size(), 0, 'acked messages leave the queue');
  await t.throwsAsync(queue.publisher.publish(numbers(0, 11)), { instanceOf: RangeError }, 'a batch larger than the queue can never fit');
  t.throws(() => createBoundedQueue<number>({ capacity: 0 }), { instanceOf: RangeError });
});

test('deliveries come in batches of at most maxBatch, and no more are outstanding until some are settled', async (t) => {
  const queue = createBoundedQueue<number>({ capacity: 100 });
  await queue.publisher.publish(numbers(0, 25));
  const controller = new AbortController();
  const held: Delivery<number>[] = [];
  const batchSizes: number[] = [];
  const running = queue.subscription(
    async (deliveries) => {
      batchSizes.push(deliveries.length);
      held.push(...deliveries);
    },
    { signal: controller.signal, maxBatch: 10 },
  );
  await eventually(() => held.length === 10, 'the first batch');
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(batchSizes, [10], 'nothing more while 10 are outstanding');
  for (const delivery of held.splice(0, 4)) delivery.ack();
  await eventually(() => held.length === 10, 'room for 4 more');
  t.deepEqual(batchSizes, [10, 4]);
  t.is(queue.size(), 21, 'held: waiting and outstanding');
  controller.abort();
  await running;
  t.is(queue.size(), 21, 'stopping the subscriber loses nothing');
});

test('a retried delivery comes back with its attempt counted; settling twice changes nothing', async (t) => {
  const queue = createBoundedQueue<string>({ capacity: 10, retryDelayMs: 1 });
  await queue.publisher.publish(['a', 'b']);
  const controller = new AbortController();
  const seen: { message: string; attempt: number }[] = [];
  const running = queue.subscription(
    async (deliveries) => {
      for (const delivery of deliveries) {
        seen.push({ message: delivery.message, attempt: delivery.attempt });
        if (delivery.message === 'a' && delivery.attempt === 1) {
          delivery.retry('not yet');
          delivery.ack(); // ignored: the first settlement wins
        } else delivery.ack();
      }
    },
    { signal: controller.signal },
  );
  await eventually(() => queue.size() === 0, 'everything acked');
  controller.abort();
  await running;
  t.deepEqual(seen, [
    { message: 'a', attempt: 1 },
    { message: 'b', attempt: 1 },
    { message: 'a', attempt: 2 },
  ]);
});

test(`a message retried ${maxDeliveryAttempts} times is dead-lettered and leaves the queue`, async (t) => {
  const letters: DeadLetter<string>[] = [];
  const queue = createBoundedQueue<string>({ capacity: 10, retryDelayMs: 1, onDeadLetter: (letter) => letters.push(letter) });
  await queue.publisher.publish(['poison', 'fine']);
  const controller = new AbortController();
  let poisonAttempts = 0;
  const running = queue.subscription(
    async (deliveries) => {
      for (const delivery of deliveries)
        if (delivery.message === 'poison') {
          poisonAttempts = delivery.attempt;
          delivery.retry('cannot apply');
        } else delivery.ack();
    },
    { signal: controller.signal },
  );
  await eventually(() => letters.length === 1, 'the dead letter');
  controller.abort();
  await running;
  t.is(poisonAttempts, maxDeliveryAttempts);
  t.like(letters[0], { message: 'poison', reason: 'cannot apply', attempts: maxDeliveryAttempts });
  t.is(queue.size(), 0);
});

test('a handler that throws has its unsettled deliveries retried; one that never settles gets them back after the ack deadline', async (t) => {
  const queue = createBoundedQueue<string>({ capacity: 10, retryDelayMs: 1, ackDeadlineMs: 30 });
  await queue.publisher.publish(['thrown', 'forgotten']);
  const controller = new AbortController();
  const attempts = new Map<string, number>();
  const running = queue.subscription(
    async (deliveries) => {
      for (const delivery of deliveries) attempts.set(delivery.message, delivery.attempt);
      const first = deliveries[0];
      if (first?.attempt === 1 && first.message === 'thrown') throw new Error('boom');
      for (const delivery of deliveries) if (delivery.attempt > 1) delivery.ack();
      // attempt 1 of "forgotten" is never settled: the deadline brings it back
    },
    { signal: controller.signal, maxBatch: 1 },
  );
  await eventually(() => queue.size() === 0, 'both acked on a later attempt');
  controller.abort();
  await running;
  t.is(attempts.get('thrown'), 2);
  t.is(attempts.get('forgotten'), 2);
});

test('a closed publisher refuses to publish', async (t) => {
  const queue = createBoundedQueue<number>({ capacity: 1 });
  await queue.publisher.close();
  await t.throwsAsync(queue.publisher.publish([1]), { message: /closed/ });
});
