// The event plane holds together: whatever a consumer of the event topic follows reaches the topic. The
// relay publishes only the types it is told (allEventTypes), so a type missing there never reaches a
// subscription in the cloud, though the embedded wiring, reading the log itself, would still see it.
import { stepRecordedType } from '@meridian/projections';
import test from 'ava';
import { allEventTypes } from './events.ts';
import { platformReactions } from './reactions.ts';
import { distanceSlotsSubscription, eventConsumers, platformTopology, telemetryTopic } from './topology.ts';

test('every type a consumer of the event topic follows is one the relay publishes and the archiver keeps', (t) => {
  const published = new Set(allEventTypes);
  for (const consumer of eventConsumers)
    t.deepEqual(
      consumer.eventTypes.filter((type) => !published.has(type)),
      [],
      `${consumer.name} follows only published types`,
    );
});

test("the process managers' own streams are published: their events and their step records", (t) => {
  t.true(platformReactions.processManagers.length > 0, 'the platform runs process managers');
  for (const pm of platformReactions.processManagers)
    for (const type of [...pm.events.wireTypes, stepRecordedType(pm.name)]) t.true(allEventTypes.includes(type), `${pm.name}: ${type}`);
});

test("the driver scores' distance slots have their own subscription on the telemetry topic, with a dead-letter topic", (t) => {
  const subscription = platformTopology.subscriptions.find((s) => s.name === distanceSlotsSubscription);
  t.is(subscription?.topic, telemetryTopic);
  t.truthy(subscription?.deadLetterPolicy?.deadLetterTopic);
  t.true(platformTopology.topics.some((topic) => topic.name === subscription?.deadLetterPolicy?.deadLetterTopic));
});
