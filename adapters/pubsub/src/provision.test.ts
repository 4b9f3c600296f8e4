import test from 'ava';
import { secondsOf, settingsOfDefinition, settingsOfMetadata, subscriptionDrift } from './provision.ts';
import { topologyOf } from './topology.ts';

const [definition] = topologyOf(
  [],
  [{ name: 'projector', topic: 'events', filter: 'hasPrefix(attributes.eventType, "parcel.")' }],
).subscriptions;

/** The subscription as the API describes it after creating it from the definition. */
const created = {
  name: 'projects/p/subscriptions/projector',
  topic: 'projects/p/topics/events',
  filter: 'hasPrefix(attributes.eventType, "parcel.")',
  enableMessageOrdering: true,
  ackDeadlineSeconds: 60,
  retainAckedMessages: false,
  retryPolicy: { minimumBackoff: { seconds: '10', nanos: 0 }, maximumBackoff: { seconds: '600', nanos: 0 } },
  deadLetterPolicy: { deadLetterTopic: 'projects/p/topics/projector-dead-letter', maxDeliveryAttempts: 5 },
};

test('durations are written as seconds, "604800s"', (t) => {
  t.is(secondsOf('604800s'), 604800);
  t.is(secondsOf('1.5s'), 1.5);
  t.throws(() => secondsOf('7d'), { message: /"7d" is not a duration in seconds/ });
});

test('a subscription created from its definition has not drifted', (t) => {
  t.deepEqual(settingsOfMetadata(created), settingsOfDefinition(definition!));
  t.deepEqual(subscriptionDrift('projector', settingsOfDefinition(definition!), settingsOfMetadata(created)), {
    conflicts: [],
    updates: [],
  });
});

test('drift in settings Pub/Sub can update is listed for an update', (t) => {
  const found = settingsOfMetadata({
    ...created,
    ackDeadlineSeconds: 10,
    retryPolicy: null,
    deadLetterPolicy: { ...created.deadLetterPolicy, maxDeliveryAttempts: 9 },
  });
  t.deepEqual(subscriptionDrift('projector', settingsOfDefinition(definition!), found), {
    conflicts: [],
    updates: ['ackDeadlineSeconds', 'retryPolicy', 'deadLetterPolicy'],
  });
});

test('drift in topic, filter or ordering is a conflict, named with both values', (t) => {
  const found = settingsOfMetadata({ ...created, topic: 'projects/p/topics/other', filter: '', enableMessageOrdering: false });
  t.deepEqual(subscriptionDrift('projector', settingsOfDefinition(definition!), found).conflicts, [
    { subscription: 'projector', setting: 'topic', wanted: 'events', found: 'other' },
    { subscription: 'projector', setting: 'filter', wanted: 'hasPrefix(attributes.eventType, "parcel.")', found: '' },
    { subscription: 'projector', setting: 'enableMessageOrdering', wanted: true, found: false },
  ]);
});
