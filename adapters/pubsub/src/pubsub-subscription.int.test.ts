import type { Delivery, RecordedEvent } from '@meridian/kernel';
import test from 'ava';
import { deadLetterAttributes } from './attributes.ts';
import { createEventPublisher } from './event-publisher.ts';
import { createEventSubscription } from './event-subscription.ts';
import type { PullMode } from './unary-pull.ts';
import { provisionTopology } from './provision.ts';
import { eventOf, pubsubFixture, receive, recordedEvent, runUntil } from './testing/index.ts';
import { deadLetterSubscriptionOf, topologyOf } from './topology.ts';

const fixture = pubsubFixture(test, 'Pub/Sub subscription');

const parcelTypes = ['parcel.registered.v1', 'parcel.delivered.v1'];

/** A topic with one consumer (its subscription, dead-letter topic and dead-letter subscription) and a publisher. */
const setup = async (pull: PullMode, eventTypes: readonly string[] = parcelTypes, { settleWithinMs }: { settleWithinMs?: number } = {}) => {
  const { pubsub, unique } = fixture!;
  const topic = unique('events');
  const consumer = { name: unique('consumer'), eventTypes };
  await provisionTopology(pubsub, topologyOf([{ name: topic }], [{ name: consumer.name, topic }]));
  const publisher = createEventPublisher(pubsub, topic);
  return {
    consumer,
    publisher,
    subscription: createEventSubscription({
      pubsub,
      consumer,
      batchWindowMs: 5,
      pull,
      ...(settleWithinMs !== undefined && { settleWithinMs }),
    }),
  };
};

const deadLettersOf = (consumer: string, count: number) =>
  receive(fixture!.pubsub, deadLetterSubscriptionOf(consumer), { done: (received) => received.length >= count, settleMs: 500 });

// Every case holds for both ways of receiving: the client's streaming pull, and unary Pull (./unary-pull.ts).
for (const pull of ['streaming', 'unary'] as const)
  if (fixture !== undefined) {
    test(`delivers events in batches of at most maxBatch, each stream in order (${pull} pull)`, async (t) => {
      const { publisher, subscription } = await setup(pull);
      const events = Array.from({ length: 30 }, (_, i) => recordedEvent(`parcel-${i % 3}`, Math.floor(i / 3), i + 1));
      await publisher.publish(events);
      const batches: number[] = [];
      const seen: RecordedEvent[] = [];
      await runUntil(
        subscription,
        async (deliveries) => {
          batches.push(deliveries.length);
          for (const delivery of deliveries) {
            seen.push(delivery.message);
            delivery.ack();
          }
        },
        () => seen.length >= 30,
        { maxBatch: 7 },
      );
      t.is(seen.length, 30);
      t.true(
        batches.every((size) => size >= 1 && size <= 7),
        `batch sizes ${batches.join(', ')}`,
      );
      for (const stream of ['parcel-0', 'parcel-1', 'parcel-2'])
        t.deepEqual(
          seen.filter((e) => e.streamId === stream).map((e) => e.streamRevision),
          Array.from({ length: 10 }, (_, i) => i),
          stream,
        );
      t.deepEqual(
        seen.find((e) => e.eventId === events[0]!.eventId),
        events[0],
        'the envelope arrives whole',
      );
    });

    test(`a retried delivery comes again with its attempt counted up (${pull} pull)`, async (t) => {
      const { publisher, subscription, consumer } = await setup(pull);
      await publisher.publish([recordedEvent('parcel-1', 0, 1)]);
      const attempts: number[] = [];
      let acked = false;
      const started = Date.now();
      await runUntil(
        subscription,
        async (deliveries) => {
          for (const delivery of deliveries) {
            attempts.push(delivery.attempt);
            if (delivery.attempt < 3) delivery.retry('not yet');
            else {
              delivery.ack();
              acked = true;
            }
          }
        },
        () => acked,
      );
      t.log(`three attempts in ${Date.now() - started} ms`);
      t.deepEqual(attempts, [1, 2, 3]);
      t.deepEqual(await deadLettersOf(consumer.name, 0), [], 'nothing was dead-lettered');
    });

    test(`a poison message is dead-lettered with its reason after five attempts, while the others flow (${pull} pull)`, async (t) => {
      const { publisher, subscription, consumer } = await setup(pull);
      const events = [0, 1].flatMap((revision) => [0, 1, 2].map((s) => recordedEvent(`parcel-${s}`, revision, revision * 3 + s + 1)));
      const poison = events[4]!;
      await publisher.publish(events);
      const acked = new Set<string>();
      const poisonAttempts: number[] = [];
      const started = Date.now();
      await runUntil(
        subscription,
        async (deliveries) => {
          for (const delivery of deliveries)
            if (delivery.message.eventId === poison.eventId) {
              poisonAttempts.push(delivery.attempt);
              delivery.retry('cannot apply this');
            } else {
              delivery.ack();
              acked.add(delivery.message.eventId);
            }
        },
        () => acked.size >= 5 && poisonAttempts.length >= 5,
        { timeoutMs: 60_000 },
      );
      t.log(`five attempts in ${Date.now() - started} ms`);
      t.deepEqual(poisonAttempts, [1, 2, 3, 4, 5]);
      t.is(acked.size, 5, 'every other event went through');
      const letters = await deadLettersOf(consumer.name, 1);
      t.is(letters.length, 1, 'dead-lettered once, by the consumer (not again by Pub/Sub)');
      t.deepEqual(eventOf(letters[0]!), poison);
      t.like(letters[0]!.attributes, {
        eventId: poison.eventId,
        streamId: poison.streamId,
        [deadLetterAttributes.reason]: 'cannot apply this',
        [deadLetterAttributes.consumer]: consumer.name,
        [deadLetterAttributes.attempt]: '5',
      });
    });

    test(`deadLetter() dead-letters at once, and the message is not delivered again (${pull} pull)`, async (t) => {
      const { publisher, subscription, consumer } = await setup(pull);
      const [doomed, fine] = [recordedEvent('parcel-1', 0, 1), recordedEvent('parcel-2', 0, 2)];
      await publisher.publish([doomed, fine]);
      const handed: Delivery<RecordedEvent>[] = [];
      await runUntil(
        subscription,
        async (deliveries) => {
          for (const delivery of deliveries) {
            handed.push(delivery);
            if (delivery.message.eventId === doomed.eventId) delivery.deadLetter('weight is negative');
            else delivery.ack();
          }
        },
        () => false,
        { timeoutMs: 2_000 },
      );
      // Each handed over once, at its first attempt (the two streams may come in either order).
      t.deepEqual(handed.map((d) => `${d.message.eventId} ${d.attempt}`).sort(), [`${doomed.eventId} 1`, `${fine.eventId} 1`].sort());
      const letters = await deadLettersOf(consumer.name, 1);
      t.is(letters.length, 1);
      t.like(letters[0]!.attributes, {
        eventId: doomed.eventId,
        [deadLetterAttributes.reason]: 'weight is negative',
        [deadLetterAttributes.attempt]: '1',
      });
    });

    test(`messages of types the consumer does not follow are acked and never handed over (${pull} pull)`, async (t) => {
      const { pubsub } = fixture!;
      const { publisher, subscription, consumer } = await setup(pull, ['parcel.registered.v1']);
      const followed = recordedEvent('parcel-1', 0, 1);
      await publisher.publish([
        recordedEvent('route-1', 0, 2, 'route.planned.v1'),
        followed,
        recordedEvent('vehicle-1', 0, 3, 'vehicle.added.v1'),
      ]);
      const handed: RecordedEvent[] = [];
      await runUntil(
        subscription,
        async (deliveries) => deliveries.forEach((d) => (handed.push(d.message), d.ack())),
        () => false,
        { timeoutMs: 2_000 },
      );
      t.deepEqual(handed, [followed]);
      t.deepEqual(
        await receive(pubsub, consumer.name, { timeoutMs: 1_500 }),
        [],
        'nothing is left on the subscription: the others were acked',
      );
      t.deepEqual(await deadLettersOf(consumer.name, 0), []);
    });

    test(`a message that does not decode is dead-lettered at once, without reaching the handler (${pull} pull)`, async (t) => {
      const { pubsub } = fixture!;
      const { subscription, consumer } = await setup(pull);
      const topic = (await pubsub.subscription(consumer.name).getMetadata())[0].topic!;
      await pubsub
        .topic(topic)
        .publishMessage({ data: Buffer.from('{"type":"parcel.registered.v1"}'), attributes: { eventType: 'parcel.registered.v1' } });
      let handed = 0;
      await runUntil(
        subscription,
        async (deliveries) => void (handed += deliveries.length),
        () => false,
        { timeoutMs: 2_000 },
      );
      t.is(handed, 0);
      const letters = await deadLettersOf(consumer.name, 1);
      t.is(letters.length, 1);
      t.regex(
        letters[0]!.attributes[deadLetterAttributes.reason] ?? '',
        /^undecodable message: not an event envelope: #\/eventId is required/,
      );
    });

    test(`deliveries left unsettled, or whose handler threw, come again (${pull} pull)`, async (t) => {
      const { publisher, subscription } = await setup(pull);
      const [a, b] = [recordedEvent('parcel-1', 0, 1), recordedEvent('parcel-2', 0, 2)];
      await publisher.publish([a, b]);
      const seen: [string, number][] = [];
      let calls = 0;
      await runUntil(
        subscription,
        async (deliveries) => {
          calls++;
          for (const delivery of deliveries) {
            seen.push([delivery.message.eventId, delivery.attempt]);
            if (delivery.attempt >= 2) delivery.ack();
          }
          if (deliveries.some((d) => d.message.eventId === b.eventId && d.attempt === 1)) throw new Error('boom');
        },
        () => seen.filter(([, attempt]) => attempt === 2).length >= 2,
      );
      t.true(calls >= 2);
      t.deepEqual(
        seen
          .filter(([, attempt]) => attempt === 2)
          .map(([id]) => id)
          .sort(),
        [a.eventId, b.eventId].sort(),
      );
    });

    test(`given settleWithinMs, a delivery acked after its handler returned is acked then, once; one never settled comes again after that time (${pull} pull)`, async (t) => {
      const settleWithinMs = 1500;
      const { publisher, subscription } = await setup(pull, parcelTypes, { settleWithinMs });
      const [late, forgotten] = [recordedEvent('parcel-1', 0, 1), recordedEvent('parcel-2', 0, 2)];
      await publisher.publish([late, forgotten]);
      const seen: { eventId: string; attempt: number; at: number }[] = [];
      const timers: NodeJS.Timeout[] = [];
      let doneAt = Infinity;
      await runUntil(
        subscription,
        async (deliveries) => {
          for (const delivery of deliveries) {
            seen.push({ eventId: delivery.message.eventId, attempt: delivery.attempt, at: Date.now() });
            if (delivery.message.eventId === late.eventId) timers.push(setTimeout(() => delivery.ack(), 300));
            else if (delivery.attempt >= 2) {
              delivery.ack();
              doneAt = Date.now();
            }
          }
        },
        // Long enough past the forgotten one's second delivery for a wrongly nacked late one to come again.
        () => Date.now() > doneAt + 1000,
      );
      timers.forEach(clearTimeout);
      t.deepEqual(
        seen.filter((s) => s.eventId === late.eventId).map((s) => s.attempt),
        [1],
        'acked 300 ms after its handler returned, and never again',
      );
      const again = seen.filter((s) => s.eventId === forgotten.eventId);
      t.deepEqual(
        again.map((s) => s.attempt),
        [1, 2],
      );
      t.true(again[1]!.at - again[0]!.at >= settleWithinMs, `came again after ${again[1]!.at - again[0]!.at} ms`);
    });

    test(`stops when the signal aborts, and fails when the subscription does not exist (${pull} pull)`, async (t) => {
      const { pubsub, unique } = fixture!;
      const missing = createEventSubscription({ pubsub, pull, consumer: { name: unique('missing'), eventTypes: parcelTypes } });
      await t.throwsAsync(
        missing(async () => undefined, { signal: new AbortController().signal }),
        { message: /NOT_FOUND|not found|does not exist/i },
      );
      const { subscription } = await setup(pull);
      const controller = new AbortController();
      const running = subscription(async () => undefined, { signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      await t.notThrowsAsync(running);
    });
  }
