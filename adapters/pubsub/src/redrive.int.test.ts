import type { BatchHandler, RecordedEvent } from '@meridian/kernel';
import test from 'ava';
import { eventMessageOf, withDeadLetterNote } from './attributes.ts';
import { createEventPublisher } from './event-publisher.ts';
import { createEventSubscription } from './event-subscription.ts';
import { provisionTopology } from './provision.ts';
import { redriveDeadLetters } from './redrive.ts';
import { eventOf, pubsubFixture, receive, recordedEvent, runUntil } from './testing/index.ts';
import { deadLetterSubscriptionOf, deadLetterTopicOf, topologyOf } from './topology.ts';

const fixture = pubsubFixture(test, 'Pub/Sub dead-letter redrive');

/** A topic, a consumer on it, and a watcher subscription that sees what is (re)published to the topic. */
const setup = async () => {
  const { pubsub, unique } = fixture!;
  const topic = unique('events');
  const consumer = { name: unique('consumer'), eventTypes: ['parcel.registered.v1'] };
  const watcher = unique('watcher');
  await provisionTopology(
    pubsub,
    topologyOf(
      [{ name: topic }],
      [
        { name: consumer.name, topic },
        { name: watcher, topic },
      ],
    ),
  );
  return { topic, consumer, watcher };
};

if (fixture !== undefined) {
  test('republishes dead letters to the topic in log order, as first published, and removes them', async (t) => {
    const { pubsub } = fixture;
    const { topic, consumer, watcher } = await setup();
    const events = [
      recordedEvent('parcel-a', 0, 10),
      recordedEvent('parcel-a', 1, 11),
      recordedEvent('parcel-b', 0, 12),
      recordedEvent('parcel-a', 2, 13),
    ];
    // Dead-lettered out of order, one by the consumer and one as Pub/Sub forwards them itself.
    const note = { consumer: consumer.name, reason: 'projection bug', attempt: 5, deadLetteredAt: new Date().toISOString() };
    const deadLetters = pubsub.topic(deadLetterTopicOf(consumer.name));
    for (const event of [events[3]!, events[1]!, events[2]!]) {
      const message = eventMessageOf(event);
      await deadLetters.publishMessage({ data: message.data, attributes: withDeadLetterNote(message.attributes, note) });
    }
    const forwarded = eventMessageOf(events[0]!);
    await deadLetters.publishMessage({
      data: forwarded.data,
      attributes: {
        ...forwarded.attributes,
        CloudPubSubDeadLetterSourceDeliveryCount: '5',
        CloudPubSubDeadLetterSourceSubscription: consumer.name,
      },
    });

    t.deepEqual(await redriveDeadLetters({ pubsub, subscription: consumer.name, targetTopic: topic, idleMs: 1_000 }), {
      redriven: 4,
      failed: 0,
    });

    const received = await receive(pubsub, watcher, { done: (r) => r.length >= 4, settleMs: 300 });
    t.is(received.length, 4);
    t.deepEqual(
      received.filter((r) => r.orderingKey === 'parcel-a').map((r) => eventOf(r).streamRevision),
      [0, 1, 2],
      'each stream in log order',
    );
    for (const message of received) {
      const event = eventOf(message);
      t.is(message.orderingKey, event.streamId);
      t.deepEqual(message.attributes, eventMessageOf(event).attributes, 'the attributes as first published');
    }
    t.deepEqual(await receive(pubsub, deadLetterSubscriptionOf(consumer.name), { timeoutMs: 1_000 }), [], 'the dead letters are gone');
    t.deepEqual(await redriveDeadLetters({ pubsub, subscription: consumer.name, targetTopic: topic, idleMs: 500 }), {
      redriven: 0,
      failed: 0,
    });
  });

  test('after a fix, a redriven dead letter reaches the consumer again', async (t) => {
    const { pubsub } = fixture;
    const { topic, consumer } = await setup();
    const event = recordedEvent('parcel-c', 0, 1);
    await createEventPublisher(pubsub, topic).publish([event]);
    const subscription = createEventSubscription({ pubsub, consumer, batchWindowMs: 5 });
    let fixed = false;
    const applied: RecordedEvent[] = [];
    const handler: BatchHandler<RecordedEvent> = async (deliveries) => {
      for (const delivery of deliveries)
        if (fixed) {
          applied.push(delivery.message);
          delivery.ack();
        } else delivery.deadLetter('bug #12');
    };
    // The subscription returns once its dead letters are confirmed on the dead-letter topic.
    await runUntil(subscription, handler, () => false, { timeoutMs: 1_000 });
    t.deepEqual(applied, []);

    fixed = true;
    t.deepEqual(await redriveDeadLetters({ pubsub, subscription: consumer.name, targetTopic: topic, idleMs: 1_000 }), {
      redriven: 1,
      failed: 0,
    });
    await runUntil(subscription, handler, () => applied.length >= 1);
    t.deepEqual(applied, [event]);
  });
}
