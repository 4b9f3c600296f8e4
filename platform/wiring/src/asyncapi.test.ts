// The AsyncAPI document is valid by the official parser, and complete: every topic of the topology is a
// channel, every subscription an operation receiving what its consumer follows, every wire type a message.
import { Parser } from '@asyncapi/parser';
import test from 'ava';
import { asyncApiDocument, catalogConsumers } from './asyncapi.ts';
import { eventRecordName, namedTypesOf } from '@meridian/pubsub';
import { allEventTypes, platformCatalogs, processCatalogs } from './events.ts';
import { platformReactions } from './reactions.ts';
import { eventConsumers, eventsTopic, eventsTopicSchema, platformTopology } from './topology.ts';

const document = asyncApiDocument();

test('the official AsyncAPI parser finds no error in the document', async (t) => {
  const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
  t.deepEqual(
    errors.map((error) => `${error.path.join('/')}: ${error.message}`),
    [],
  );
  t.truthy(parsed);
  t.is(parsed?.version(), '3.0.0');
  t.is(parsed?.channels().length, platformTopology.topics.length);
});

test('every topic is a channel, every subscription of the topology an operation that receives from its topic', (t) => {
  t.deepEqual(
    Object.values(document.channels)
      .map((channel) => channel.address)
      .sort(),
    platformTopology.topics.map((topic) => topic.name).sort(),
  );
  const receivers = Object.values(document.operations).filter((operation) => operation.action === 'receive');
  const sources = platformTopology.subscriptions.filter((subscription) => !subscription.name.endsWith('-dead-letter'));
  t.is(receivers.length, sources.length);
  for (const subscription of sources) {
    const operation = document.operations[subscription.name];
    t.truthy(operation, `${subscription.name} has an operation`);
    t.is(operation?.action, 'receive');
    t.deepEqual(operation?.channel, { $ref: `#/channels/${subscription.topic}` });
  }
});

test('each consumer receives exactly the messages it follows, and every wire type is a message with its payload', (t) => {
  for (const consumer of eventConsumers) {
    const operation = document.operations[consumer.name];
    t.deepEqual(
      operation?.messages.map((message) => message.$ref),
      consumer.eventTypes.map((type) => `#/channels/${eventsTopic}/messages/${type}`),
      consumer.name,
    );
  }
  for (const wireType of allEventTypes) t.truthy(document.components.messages[wireType], wireType);
  const delivered = document.components.messages['parcel.delivered.v1'];
  t.like(delivered?.payload, {
    properties: {
      data: {
        title: 'ParcelDelivered',
        required: ['parcelId', 'clientId', 'routeId', 'vehicleId', 'attempt', 'proof', 'location', 'deliveredAt'],
      },
    },
  });
});

test('the producers: the relay sends every event, the telemetry API the pings, each consumer its dead letters', (t) => {
  t.like(document.operations[`relay.publish.${eventsTopic}`], { action: 'send', 'x-producer': 'relay' });
  for (const consumer of catalogConsumers())
    t.like(document.operations[`${consumer.subscription}.dead-letter`], { action: 'send', 'x-producer': consumer.app });
  t.like(document.operations['parcel-status-projector'], { 'x-consumer': { app: 'projector', role: 'projector' } });
  t.like(document.operations['webhook-dispatcher'], { 'x-consumer': { app: 'webhook-dispatcher', role: 'webhooks' } });
});

// The relay publishes every type of allEventTypes to the event topic, whose schema refuses any type it has
// no record for: each must have one, and a message in the document, whatever catalog it comes from.
test('every event type the relay publishes has a record in the event topic schema and a message in the document', (t) => {
  const records = namedTypesOf(eventsTopicSchema.definition);
  const channel = document.channels[eventsTopic]?.messages ?? {};
  const missing = allEventTypes.filter(
    (type) => !records.has(eventRecordName(type)) || document.components.messages[type] === undefined || channel[type] === undefined,
  );
  t.deepEqual(missing, []);
  t.deepEqual([...new Set(allEventTypes)].sort(), [...allEventTypes].sort(), 'no wire type is in two catalogs');
  t.is(document.operations[`relay.publish.${eventsTopic}`]?.messages.length, allEventTypes.length);
});

test("the catalogs are the aggregates', each process manager's own events and its step records", (t) => {
  const kinds = new Set(platformCatalogs.map((catalog) => `${catalog.kind}:${catalog.writer}`));
  for (const aggregate of ['parcel', 'route', 'vehicle', 'window']) t.true(kinds.has(`aggregate:${aggregate}`), aggregate);
  t.true(platformReactions.processManagers.length > 0);
  for (const pm of platformReactions.processManagers) {
    t.true(kinds.has(`process manager:${pm.name}`), pm.name);
    t.true(allEventTypes.includes(`${pm.name}.step-recorded.v1`), `${pm.name}'s step records`);
    for (const type of pm.events.wireTypes) t.true(allEventTypes.includes(type), type);
  }
  t.like(document.components.messages['dispatch.step-recorded.v1'], {
    'x-writer': { 'step records': 'dispatch' },
    payload: { properties: { data: { title: 'StepRecorded' } } },
  });
  t.deepEqual(processCatalogs({ processManagers: [] }), []);
});

test('every event type a consumer follows is one the relay publishes', (t) => {
  const published = new Set(allEventTypes);
  for (const consumer of eventConsumers)
    t.deepEqual(
      consumer.eventTypes.filter((type) => !published.has(type)),
      [],
      consumer.name,
    );
});
