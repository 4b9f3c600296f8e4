// Snapshot and seek on the emulator: messages a (bad) consumer acked after the snapshot, or after a time,
// are delivered again once the subscription is sought back.
import test from 'ava';
import { provisionTopology } from './provision.ts';
import { seekSubscription, snapshotSubscription } from './seek.ts';
import { pubsubFixture, receive } from './testing/index.ts';
import { topologyOf } from './topology.ts';

const fixture = pubsubFixture(test, 'Pub/Sub snapshot and seek');

const setup = async ({ retainAckedMessages = false } = {}) => {
  const { pubsub, unique } = fixture!;
  const topic = unique('seek');
  const subscription = unique('consumer');
  const topology = topologyOf([{ name: topic }], [{ name: subscription, topic, ordered: false }]);
  await provisionTopology(pubsub, {
    ...topology,
    subscriptions: topology.subscriptions.map((s) => (s.name === subscription ? { ...s, retainAckedMessages } : s)),
  });
  const publish = (texts: readonly string[]) =>
    Promise.all(texts.map((text) => pubsub.topic(topic).publishMessage({ data: Buffer.from(text) })));
  const texts = async (count: number) =>
    (await receive(pubsub, subscription, { done: (received) => received.length >= count }))
      .map((message) => message.data.toString())
      .sort();
  return { subscription, publish, texts };
};

if (fixture !== undefined) {
  test('seeking back to a snapshot delivers again what was acked since it was taken', async (t) => {
    const { subscription, publish, texts } = await setup();
    await publish(['a', 'b']);
    const snapshot = fixture.unique('before-deploy');
    await snapshotSubscription(fixture.pubsub, subscription, snapshot);
    await publish(['c']);
    t.deepEqual(await texts(3), ['a', 'b', 'c'], 'the bad deploy acks everything');
    await seekSubscription(fixture.pubsub, subscription, { snapshot });
    t.deepEqual(await texts(3), ['a', 'b', 'c'], 'after the seek, all of it again');
  });

  test('seeking back to a time delivers again what was published since (acked messages retained)', async (t) => {
    const { subscription, publish, texts } = await setup({ retainAckedMessages: true });
    await publish(['old']);
    t.deepEqual(await texts(1), ['old']);
    // Pub/Sub's clock and ours may differ by a little: a second apart keeps "before" and "after" distinct.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const beforeDeploy = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await publish(['new-1', 'new-2']);
    t.deepEqual(await texts(2), ['new-1', 'new-2']);
    await seekSubscription(fixture.pubsub, subscription, { time: beforeDeploy });
    t.deepEqual(await texts(2), ['new-1', 'new-2'], 'only what came after the time');
  });
}
