// The event catalog as an AsyncAPI 3 document, generated from the code: every channel of the topology (the
// event topic, the telemetry topic, each consumer's dead-letter topic), every message with the JSON Schema
// of its payload (from the catalogs' codecs, the kernel's one walk), which app publishes to each channel,
// and which subscription (and app) receives what. Served at GET /asyncapi.json by the query API.
import { jsonSchemaOf, RecordedEventCodec, type ConsumerDefinition, type JsonSchema } from '@meridian/kernel';
import { consumerOf, platformProjections } from '@meridian/projections';
import { deadLetterAttributes, deadLetterTopicOf, type SubscriptionDefinition, type Topology } from '@meridian/pubsub';
import { TelemetryPing } from '@meridian/vehicle';
import { platformCatalogs } from './events.ts';
import { platformReactions, reactionSubscriptions } from './reactions.ts';
import {
  archiverConsumer,
  eventConsumers,
  eventsTopic,
  distanceSlotsSubscription,
  geofenceSubscription,
  liveMapSubscription,
  platformTopology,
  reactionProjections,
  reactionTelemetrySubscriptions,
  telemetryArchiverSubscription,
  telemetryTopic,
  webhookConsumer,
} from './topology.ts';

/** The deployable that runs a consumer or publishes to a topic, as docs/architecture.md names them. */
export type AppName = 'relay' | 'telemetry-api' | 'projector' | 'webhook-dispatcher' | 'reactions';

export type CatalogConsumer = {
  readonly subscription: string;
  readonly topic: string;
  readonly role: 'projector' | 'archiver' | 'webhooks' | 'reactor or process manager' | 'live map' | 'distance slots' | 'telemetry rule';
  readonly app: AppName;
  /** The message names it receives (wire types; `TelemetryPing` on the telemetry topic). */
  readonly messages: readonly string[];
};

export const telemetryMessage = 'TelemetryPing';

/** Every consumer of the platform's topics, with its role and the app that runs it. */
export const catalogConsumers = (): readonly CatalogConsumer[] => {
  const projectors = new Set([...platformProjections, ...reactionProjections].map((projection) => consumerOf(projection).name));
  const reactions = new Set(reactionSubscriptions(platformReactions).map((consumer) => consumer.name));
  const roleOf = (consumer: ConsumerDefinition): Pick<CatalogConsumer, 'role' | 'app'> => {
    if (projectors.has(consumer.name)) return { role: 'projector', app: 'projector' };
    if (consumer.name === archiverConsumer.name) return { role: 'archiver', app: 'projector' };
    if (consumer.name === webhookConsumer.name) return { role: 'webhooks', app: 'webhook-dispatcher' };
    if (reactions.has(consumer.name)) return { role: 'reactor or process manager', app: 'reactions' };
    throw new Error(`consumer ${consumer.name} has no role in the catalog: add it to catalogConsumers`);
  };
  return [
    ...eventConsumers.map((consumer) => ({
      subscription: consumer.name,
      topic: eventsTopic,
      messages: consumer.eventTypes,
      ...roleOf(consumer),
    })),
    { subscription: liveMapSubscription, topic: telemetryTopic, role: 'live map', app: 'projector', messages: [telemetryMessage] },
    {
      subscription: distanceSlotsSubscription,
      topic: telemetryTopic,
      role: 'distance slots',
      app: 'projector',
      messages: [telemetryMessage],
    },
    {
      subscription: telemetryArchiverSubscription,
      topic: telemetryTopic,
      role: 'archiver',
      app: 'projector',
      messages: [telemetryMessage],
    },
    // The telemetry rules in the reactions service: the geofence detector, the ETA checks.
    { subscription: geofenceSubscription, topic: telemetryTopic, role: 'telemetry rule', app: 'reactions', messages: [telemetryMessage] },
    ...reactionTelemetrySubscriptions(platformReactions).map((subscription): CatalogConsumer => ({
      subscription,
      topic: telemetryTopic,
      role: 'telemetry rule',
      app: 'reactions',
      messages: [telemetryMessage],
    })),
  ];
};

type Ref = { readonly $ref: string };
const ref = (path: string): Ref => ({ $ref: path });

export type AsyncApiOperation = {
  readonly action: 'send' | 'receive';
  readonly channel: Ref;
  readonly messages: readonly Ref[];
  readonly [extension: string]: unknown;
};
export type AsyncApiChannel = {
  readonly address: string;
  readonly messages: Readonly<Record<string, Ref>>;
  readonly [other: string]: unknown;
};
export type AsyncApiMessage = { readonly name: string; readonly payload: JsonSchema; readonly [other: string]: unknown };

/** The parts of the document that tests and tools read; the rest is as AsyncAPI 3.0 has it. */
export type AsyncApiDocument = {
  readonly asyncapi: '3.0.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly channels: Readonly<Record<string, AsyncApiChannel>>;
  readonly operations: Readonly<Record<string, AsyncApiOperation>>;
  readonly components: {
    readonly messages: Readonly<Record<string, AsyncApiMessage>>;
    readonly schemas: Readonly<Record<string, JsonSchema>>;
  };
  readonly [other: string]: unknown;
};
/** AsyncAPI keys allow letters, digits, `.`, `-` and `_`. */
const key = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_');

const envelopeSchema = (data: JsonSchema): JsonSchema => {
  const envelope = jsonSchemaOf(RecordedEventCodec);
  return { ...envelope, properties: { ...Object(envelope['properties']), data } };
};

const eventHeaders: JsonSchema = {
  type: 'object',
  description: 'The Pub/Sub message attributes',
  required: ['eventType', 'streamId', 'aggregateType', 'schemaVersion', 'correlationId', 'eventId'],
  properties: Object.fromEntries(
    ['eventType', 'streamId', 'aggregateType', 'schemaVersion', 'correlationId', 'eventId', 'traceparent'].map((name) => [
      name,
      { type: 'string' },
    ]),
  ),
};

const eventMessages = () =>
  platformCatalogs.flatMap((catalog) =>
    catalog.messages.map((message) => ({
      name: message.wireType,
      message: {
        name: message.wireType,
        title: `${message.codeType} v${message.schemaVersion}${message.current ? '' : ' (legacy: read and upcast, no longer written)'}`,
        contentType: 'application/json',
        headers: ref('#/components/schemas/EventAttributes'),
        payload: envelopeSchema(jsonSchemaOf(message.data)),
        bindings: { googlepubsub: { orderingKey: 'streamId', bindingVersion: '0.2.0' } },
        'x-writer': { [catalog.kind]: catalog.writer },
        'x-current': message.current,
      },
    })),
  );

/** The googlepubsub binding (version 0.2.0 requires schemaSettings): only a topic with a schema has one. */
const channelBindings = (topology: Topology, topic: string) => {
  const definition = topology.topics.find((candidate) => candidate.name === topic);
  const retention = definition?.messageRetentionDuration;
  if (definition?.schema === undefined) return retention === undefined ? {} : { 'x-messageRetentionDuration': retention };
  return {
    bindings: {
      googlepubsub: {
        ...(retention !== undefined && { messageRetentionDuration: retention }),
        schemaSettings: { encoding: 'json', name: definition.schema.name },
        bindingVersion: '0.2.0',
      },
    },
  };
};

const subscriptionExtension = (definition: SubscriptionDefinition | undefined) =>
  definition === undefined
    ? {}
    : {
        'x-subscription': {
          ...(definition.filter !== undefined && { filter: definition.filter }),
          enableMessageOrdering: definition.enableMessageOrdering,
          ackDeadlineSeconds: definition.ackDeadlineSeconds,
          ...(definition.deadLetterPolicy !== undefined && { deadLetterPolicy: definition.deadLetterPolicy }),
        },
      };

/** The AsyncAPI 3.0 document of a topology (the platform's by default). */
export const asyncApiDocument = ({
  topology = platformTopology,
  version = '1.0.0',
}: { topology?: Topology; version?: string } = {}): AsyncApiDocument => {
  const events = eventMessages();
  const consumers = catalogConsumers();
  const messagesOf = (topic: string): readonly string[] =>
    topic === eventsTopic ? events.map((event) => event.name) : topic === telemetryTopic ? [telemetryMessage] : [];
  const sourceOf = new Map(consumers.map((consumer) => [deadLetterTopicOf(consumer.subscription), consumer]));
  const channelMessages = (topic: string) => messagesOf(sourceOf.get(topic)?.topic ?? topic);
  const channels = Object.fromEntries(
    topology.topics.map((topic) => {
      const source = sourceOf.get(topic.name);
      return [
        key(topic.name),
        {
          address: topic.name,
          title: topic.name,
          description:
            source === undefined
              ? topic.name === eventsTopic
                ? 'Every event of the log, in log order per stream (ordering key: the stream id)'
                : 'Vehicle pings: never stored in the log'
              : `Dead letters of the subscription ${source.subscription}: the messages as first published, their attributes plus ${Object.values(deadLetterAttributes).join(', ')} (npm run redrive puts them back)`,
          messages: Object.fromEntries(channelMessages(topic.name).map((name) => [key(name), ref(`#/components/messages/${key(name)}`)])),
          ...channelBindings(topology, topic.name),
        },
      ];
    }),
  );
  const operation = (
    action: 'send' | 'receive',
    channel: string,
    messages: readonly string[],
    extra: Record<string, unknown>,
  ): AsyncApiOperation => ({
    action,
    channel: ref(`#/channels/${key(channel)}`),
    messages: messages.map((name) => ref(`#/channels/${key(channel)}/messages/${key(name)}`)),
    ...extra,
  });
  const operations: Record<string, AsyncApiOperation> = {
    [`relay.publish.${eventsTopic}`]: operation('send', eventsTopic, messagesOf(eventsTopic), {
      title: 'The relay publishes every event of the log',
      'x-producer': 'relay',
    }),
    [`telemetry-api.publish.${telemetryTopic}`]: operation('send', telemetryTopic, [telemetryMessage], {
      title: 'POST /v1/telemetry publishes each ping',
      'x-producer': 'telemetry-api',
    }),
    ...Object.fromEntries(
      consumers.flatMap((consumer) => {
        const deadLetters = deadLetterTopicOf(consumer.subscription);
        return [
          [
            key(consumer.subscription),
            operation('receive', consumer.topic, consumer.messages, {
              title: `${consumer.subscription} (${consumer.role}, in ${consumer.app})`,
              'x-consumer': { app: consumer.app, role: consumer.role },
              ...subscriptionExtension(topology.subscriptions.find((s) => s.name === consumer.subscription)),
            }),
          ],
          [
            key(`${consumer.subscription}.dead-letter`),
            operation('send', deadLetters, channelMessages(deadLetters), {
              title: `${consumer.subscription} dead-letters what it cannot handle (and Pub/Sub after 5 unsettled attempts)`,
              'x-producer': consumer.app,
            }),
          ],
        ];
      }),
    ),
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Meridian event catalog',
      version,
      description:
        'Every channel, message, producer and subscriber of the event plane, generated from the code. On topics with a schema, the wire encoding is the Avro JSON encoding of the payload (docs/event-plane.md); the payloads here are the decoded messages.',
    },
    defaultContentType: 'application/json',
    servers: { pubsub: { host: 'pubsub.googleapis.com', protocol: 'googlepubsub', description: 'Google Cloud Pub/Sub' } },
    channels,
    operations,
    components: {
      messages: {
        ...Object.fromEntries(events.map((event) => [key(event.name), event.message])),
        [telemetryMessage]: {
          name: telemetryMessage,
          title: 'A vehicle ping',
          contentType: 'application/json',
          payload: jsonSchemaOf(TelemetryPing),
        },
      },
      schemas: { EventAttributes: eventHeaders },
    },
  };
};
