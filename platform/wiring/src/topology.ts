// The platform's event plane: its topics, and every consumer with the streams it follows. The Pub/Sub
// subscriptions, the embedded log subscriptions and the Terraform in infra/ all come from this one list.
import { jsonSchemaOf, type ConsumerDefinition } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { consumerOf, distanceSlotsName, geofenceDetectorName, platformProjections } from '@meridian/projections';
import { eventEnvelopeSchema, eventTypeFilter, messageSchema, topologyOf, type Topology, type TopicSchema } from '@meridian/pubsub';
import { TelemetryPing } from '@meridian/vehicle';
import { allEventTypes, platformCatalogs } from './events.ts';
import { platformReactions, reactionSubscriptions, timersProjectionOf, type ReactionSet } from './reactions.ts';

export const eventsTopic = 'logistics-events';
export const telemetryTopic = 'vehicle-telemetry';

/** Consumers of the event topic that are not projections. Each follows whole streams (see ConsumerDefinition). */
export const archiverConsumer: ConsumerDefinition = { name: 'event-archiver', eventTypes: allEventTypes };
export const webhookConsumer: ConsumerDefinition = { name: 'webhook-dispatcher', eventTypes: parcelEvents.wireTypes };

/** The projections the reaction side keeps: the pending timers of the platform's process managers. */
export const reactionProjections = [timersProjectionOf(platformReactions)].flatMap((projection) =>
  projection === undefined ? [] : [projection],
);

/**
 * Every consumer of the event topic: one per projection (the timers' included), the archiver, the webhook
 * dispatcher, and one per reactor and process manager.
 */
export const eventConsumers: readonly ConsumerDefinition[] = [
  ...[...platformProjections, ...reactionProjections].map(consumerOf),
  archiverConsumer,
  webhookConsumer,
  ...reactionSubscriptions(platformReactions),
];

/** The live map consumes the telemetry topic, never the log; so does the telemetry archiver. */
export const liveMapSubscription = 'live-map-projector';
export const telemetryArchiverSubscription = 'telemetry-archiver';
/** The driver scores' distance: each van's earliest ping per 30-second slot (docs/driver-scores.md). */
export const distanceSlotsSubscription = distanceSlotsName;
/** The ETA reactor's telemetry consumer: the vans' positions between facts (docs/eta.md). */
export const etaTelemetrySubscription = 'eta-telemetry';

/** The telemetry subscriptions the reaction side reads: the ETA's, where it runs the ETA reactor. */
export const reactionTelemetrySubscriptions = (reactions: Pick<ReactionSet, 'eta'>): string[] =>
  reactions.eta === undefined ? [] : [etaTelemetrySubscription];

/**
 * The schemas bound to the topics, from the catalogs' codecs: Pub/Sub refuses at publish an event or a ping
 * that does not conform. Dead-letter topics have none: they hold what failed, as it was.
 */
export const eventsTopicSchema: TopicSchema = eventEnvelopeSchema(
  eventsTopic,
  platformCatalogs.flatMap((catalog) =>
    catalog.messages.map((message) => ({ wireType: message.wireType, data: jsonSchemaOf(message.data) })),
  ),
);
export const telemetryTopicSchema: TopicSchema = messageSchema(telemetryTopic, 'TelemetryPing', jsonSchemaOf(TelemetryPing));
/** The geofence detector reads the telemetry topic too, and writes its facts to the log as vehicle commands. */
export const geofenceSubscription = geofenceDetectorName;

export const platformTopology: Topology = topologyOf(
  [
    { name: eventsTopic, messageRetentionDuration: '604800s', schema: eventsTopicSchema },
    { name: telemetryTopic, messageRetentionDuration: '86400s', schema: telemetryTopicSchema },
  ],
  [
    ...eventConsumers.map((consumer) => {
      // The archiver takes everything: no filter at all, rather than one listing every aggregate.
      const filter = consumer === archiverConsumer ? undefined : eventTypeFilter(consumer.eventTypes);
      return { name: consumer.name, topic: eventsTopic, ...(filter !== undefined && { filter }) };
    }),
    // Pings are a firehose: no ordering across the topic (order per vehicle is restored by recordedAt).
    { name: liveMapSubscription, topic: telemetryTopic, ordered: false, ackDeadlineSeconds: 30 },
    { name: telemetryArchiverSubscription, topic: telemetryTopic, ordered: false, ackDeadlineSeconds: 60 },
    // Unordered: a slot keeps its earliest ping whatever the order they come in.
    { name: distanceSlotsSubscription, topic: telemetryTopic, ordered: false, ackDeadlineSeconds: 60 },
    // A ping waits up to the check interval (10 s by default) before its check acks it.
    { name: etaTelemetrySubscription, topic: telemetryTopic, ordered: false, ackDeadlineSeconds: 60 },
    // Unordered too: the detector restores each vehicle's order by recordedAt, within its lateness.
    { name: geofenceSubscription, topic: telemetryTopic, ordered: false, ackDeadlineSeconds: 60 },
  ],
);
