import { PubSub } from '@google-cloud/pubsub';
import test from 'ava';
import { createEventPublisher } from './event-publisher.ts';
import { provisionTopology } from './provision.ts';
import { eventOf, pubsubFixture, receive, recordedEvent, testTraceparent } from './testing/index.ts';
import { topologyOf } from './topology.ts';

const fixture = pubsubFixture(test, 'Pub/Sub event publisher');

/** A topic with an ordered subscription to watch it. */
const setup = async () => {
  const { pubsub, unique } = fixture!;
  const topic = unique('events');
  const watcher = unique('watcher');
  await provisionTopology(pubsub, topologyOf([{ name: topic }], [{ name: watcher, topic }]));
  return { topic, watcher };
};

if (fixture !== undefined) {
  test('each event arrives as its whole envelope, with its attributes and the stream as ordering key', async (t) => {
    const { pubsub } = fixture;
    const { topic, watcher } = await setup();
    const event = recordedEvent('parcel-p1', 0, 1);
    const publisher = createEventPublisher(pubsub, topic);
    await publisher.publish([event]);
    await publisher.close();
    const [message] = await receive(pubsub, watcher, { done: (received) => received.length >= 1 });
    t.deepEqual(eventOf(message!), event);
    t.deepEqual(message!.attributes, {
      eventType: 'parcel.registered.v1',
      streamId: 'parcel-p1',
      aggregateType: 'parcel',
      schemaVersion: '1',
      correlationId: event.metadata.correlationId,
      traceparent: testTraceparent,
      eventId: event.eventId,
    });
    t.is(message!.orderingKey, 'parcel-p1');
  });

  test('each stream keeps its order, across publish calls', async (t) => {
    const { pubsub } = fixture;
    const { topic, watcher } = await setup();
    const publisher = createEventPublisher(pubsub, topic);
    const streams = ['parcel-a', 'parcel-b', 'route-c', 'vehicle-d'];
    const events = Array.from({ length: 200 }, (_, i) => recordedEvent(streams[i % 4]!, Math.floor(i / 4), i + 1));
    for (let from = 0; from < events.length; from += 50) await publisher.publish(events.slice(from, from + 50));
    const received = (await receive(pubsub, watcher, { done: (r) => r.length >= 200 })).map(eventOf);
    t.is(received.length, 200);
    for (const stream of streams)
      t.deepEqual(
        received.filter((e) => e.streamId === stream).map((e) => e.streamRevision),
        Array.from({ length: 50 }, (_, i) => i),
        stream,
      );
  });

  test('publish resolves only once Pub/Sub has confirmed: a client closed right after loses nothing', async (t) => {
    const { pubsub, projectId } = fixture;
    const { topic, watcher } = await setup();
    const ownClient = new PubSub({ projectId });
    const events = Array.from({ length: 300 }, (_, i) => recordedEvent(`parcel-${i % 7}`, Math.floor(i / 7), i + 1));
    await createEventPublisher(ownClient, topic).publish(events);
    await ownClient.close();
    const received = await receive(pubsub, watcher, { done: (r) => r.length >= 300, settleMs: 300 });
    t.deepEqual(received.map((r) => eventOf(r).eventId).sort(), events.map((e) => e.eventId).sort());
  });

  test('publish rejects when Pub/Sub refuses, and the stream can be published again afterwards', async (t) => {
    const { pubsub, unique } = fixture;
    const topic = unique('not-yet');
    const publisher = createEventPublisher(pubsub, topic);
    const events = [recordedEvent('parcel-x', 0, 1), recordedEvent('parcel-x', 1, 2), recordedEvent('parcel-y', 0, 3)];
    const error = await t.throwsAsync(publisher.publish(events));
    t.true(error instanceof AggregateError);
    t.regex(error!.message, /^3 of 3 events were not published/);
    const watcher = unique('watcher');
    await provisionTopology(pubsub, topologyOf([{ name: topic }], [{ name: watcher, topic }]));
    await publisher.publish(events);
    const received = (await receive(pubsub, watcher, { done: (r) => r.length >= 3 })).map(eventOf);
    t.deepEqual(
      received.filter((e) => e.streamId === 'parcel-x').map((e) => e.streamRevision),
      [0, 1],
    );
    t.is(received.length, 3);
  });
}
