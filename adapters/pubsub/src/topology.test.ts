import test from 'ava';
import { deadLetterSubscriptionOf, deadLetterTopicOf, eventTypeFilter, topologyOf } from './topology.ts';

test('eventTypeFilter selects the aggregates of the given types, each once, in a stable order', (t) => {
  t.is(
    eventTypeFilter(['vehicle.added.v1', 'parcel.registered.v1', 'parcel.delivered.v2', 'vehicle.retired.v1']),
    'hasPrefix(attributes.eventType, "parcel.") OR hasPrefix(attributes.eventType, "vehicle.")',
  );
  t.is(eventTypeFilter(['route.planned.v1']), 'hasPrefix(attributes.eventType, "route.")');
  t.is(eventTypeFilter([]), undefined, 'no types: no filter rather than one that matches nothing');
});

test('topologyOf gives each consumer a subscription, a dead-letter topic and a subscription on it', (t) => {
  const topology = topologyOf(
    [{ name: 'events', messageRetentionDuration: '604800s' }],
    [{ name: 'projector', topic: 'events', filter: 'f' }],
  );
  t.deepEqual(topology.topics, [
    { name: 'events', messageRetentionDuration: '604800s' },
    { name: 'projector-dead-letter', messageRetentionDuration: '604800s' },
  ]);
  t.deepEqual(topology.subscriptions, [
    {
      name: 'projector',
      topic: 'events',
      filter: 'f',
      enableMessageOrdering: true,
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 },
      deadLetterPolicy: { deadLetterTopic: 'projector-dead-letter', maxDeliveryAttempts: 5 },
    },
    {
      name: 'projector-dead-letter',
      topic: 'projector-dead-letter',
      enableMessageOrdering: false,
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 },
    },
  ]);
  t.is(deadLetterTopicOf('projector'), 'projector-dead-letter');
  t.is(deadLetterSubscriptionOf('projector'), 'projector-dead-letter');
});

test("topologyOf keeps a consumer's own choices over the defaults, and adds no filter it was not given", (t) => {
  const [main] = topologyOf(
    [],
    [{ name: 'pings', topic: 'telemetry', ordered: false, ackDeadlineSeconds: 30, maxDeliveryAttempts: 10 }],
  ).subscriptions;
  t.like(main, {
    enableMessageOrdering: false,
    ackDeadlineSeconds: 30,
    deadLetterPolicy: { deadLetterTopic: 'pings-dead-letter', maxDeliveryAttempts: 10 },
  });
  t.false('filter' in main!);
});
