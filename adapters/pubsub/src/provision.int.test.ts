import test from 'ava';
import { provisionTopology, TopologyConflictError } from './provision.ts';
import { pubsubFixture } from './testing/index.ts';
import { deadLetterSubscriptionOf, deadLetterTopicOf, eventTypeFilter, topologyOf, type Topology } from './topology.ts';

const fixture = pubsubFixture(test, 'Pub/Sub provisioning');

const platformLike = (): { topology: Topology; topic: string; telemetry: string; projector: string; pings: string } => {
  const { unique } = fixture!;
  const [topic, telemetry, projector, pings] = [unique('events'), unique('telemetry'), unique('projector'), unique('pings')];
  const topology = topologyOf(
    [
      { name: topic, messageRetentionDuration: '604800s' },
      { name: telemetry, messageRetentionDuration: '86400s' },
    ],
    [
      { name: projector, topic, filter: eventTypeFilter(['parcel.registered.v1'])! },
      { name: pings, topic: telemetry, ordered: false, ackDeadlineSeconds: 30 },
    ],
  );
  return { topology, topic, telemetry, projector, pings };
};

const metadataOf = async (subscription: string) => (await fixture!.pubsub.subscription(subscription).getMetadata())[0];

if (fixture !== undefined) {
  test('creates every topic and subscription as defined', async (t) => {
    const { pubsub, projectId } = fixture;
    const { topology, topic, telemetry, projector, pings } = platformLike();
    const steps = await provisionTopology(pubsub, topology);
    t.true(steps.every((step) => step.outcome === 'created'));
    t.is(steps.length, 4 + 4);

    const [events] = await pubsub.topic(topic).getMetadata();
    t.is(String(events.messageRetentionDuration?.seconds), '604800');
    const [pingsTopic] = await pubsub.topic(telemetry).getMetadata();
    t.is(String(pingsTopic.messageRetentionDuration?.seconds), '86400');

    const main = await metadataOf(projector);
    t.like(main, {
      topic: `projects/${projectId}/topics/${topic}`,
      filter: 'hasPrefix(attributes.eventType, "parcel.")',
      enableMessageOrdering: true,
      ackDeadlineSeconds: 60,
      deadLetterPolicy: { deadLetterTopic: `projects/${projectId}/topics/${deadLetterTopicOf(projector)}`, maxDeliveryAttempts: 5 },
    });
    t.deepEqual([String(main.retryPolicy?.minimumBackoff?.seconds), String(main.retryPolicy?.maximumBackoff?.seconds)], ['10', '600']);
    t.like(await metadataOf(pings), { enableMessageOrdering: false, ackDeadlineSeconds: 30, filter: '' });
    const parked = await metadataOf(deadLetterSubscriptionOf(projector));
    t.like(parked, {
      topic: `projects/${projectId}/topics/${deadLetterTopicOf(projector)}`,
      enableMessageOrdering: false,
      deadLetterPolicy: null,
    });
  });

  test('is idempotent: a second run creates and changes nothing', async (t) => {
    const { pubsub } = fixture;
    const { topology, projector } = platformLike();
    await provisionTopology(pubsub, topology);
    const before = await metadataOf(projector);
    const steps = await provisionTopology(pubsub, topology);
    t.deepEqual(new Set(steps.map((step) => step.outcome)), new Set(['unchanged']));
    t.is(steps.length, 8);
    t.deepEqual(await metadataOf(projector), before);
  });

  test('updates in place what Pub/Sub can update: ack deadline, retry and dead-letter policies, topic retention', async (t) => {
    const { pubsub } = fixture;
    const { topology, topic, projector } = platformLike();
    await provisionTopology(pubsub, topology);
    const changed: Topology = {
      topics: topology.topics.map((d) => (d.name === topic ? { ...d, messageRetentionDuration: '86400s' } : d)),
      subscriptions: topology.subscriptions.map((d) =>
        d.name === projector
          ? {
              ...d,
              ackDeadlineSeconds: 20,
              retryPolicy: { minimumBackoffSeconds: 5, maximumBackoffSeconds: 100 },
              deadLetterPolicy: { ...d.deadLetterPolicy!, maxDeliveryAttempts: 7 },
            }
          : d,
      ),
    };
    const steps = await provisionTopology(pubsub, changed);
    t.deepEqual(
      steps.filter((step) => step.outcome !== 'unchanged'),
      [
        { resource: 'topic', name: topic, outcome: 'updated', changed: ['messageRetentionDuration'] },
        {
          resource: 'subscription',
          name: projector,
          outcome: 'updated',
          changed: ['ackDeadlineSeconds', 'retryPolicy', 'deadLetterPolicy'],
        },
      ],
    );
    const after = await metadataOf(projector);
    t.like(after, { ackDeadlineSeconds: 20, deadLetterPolicy: { maxDeliveryAttempts: 7 } });
    t.is(String(after.retryPolicy?.minimumBackoff?.seconds), '5');
    t.is(String((await pubsub.topic(topic).getMetadata())[0].messageRetentionDuration?.seconds), '86400');
    t.deepEqual(new Set((await provisionTopology(pubsub, changed)).map((step) => step.outcome)), new Set(['unchanged']));
  });

  test('refuses, naming them, the settings Pub/Sub cannot change in place, after applying the rest', async (t) => {
    const { pubsub } = fixture;
    const { topology, projector, pings } = platformLike();
    await provisionTopology(pubsub, topology);
    const changed: Topology = {
      ...topology,
      subscriptions: topology.subscriptions.map((d) =>
        d.name === projector
          ? { ...d, filter: 'attributes.eventType = "x"', enableMessageOrdering: false }
          : d.name === pings
            ? { ...d, ackDeadlineSeconds: 45 }
            : d,
      ),
    };
    const error = await t.throwsAsync(provisionTopology(pubsub, changed), { instanceOf: TopologyConflictError });
    t.deepEqual(
      error!.conflicts.map((c) => [c.subscription, c.setting]),
      [
        [projector, 'filter'],
        [projector, 'enableMessageOrdering'],
      ],
    );
    t.regex(error!.message, new RegExp(`"${projector}".filter is`));
    t.like(await metadataOf(pings), { ackDeadlineSeconds: 45 }, 'the other changes were still made');
    t.like(await metadataOf(projector), { enableMessageOrdering: true, filter: 'hasPrefix(attributes.eventType, "parcel.")' });
  });
}
