// The platform's event plane: its topics, and every consumer with the streams it follows. The Pub/Sub
// subscriptions, the embedded log subscriptions and the Terraform in infra/ all come from this one list.
import type { ConsumerDefinition } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { consumerOf, geofenceDetectorName, platformProjections } from '@meridian/projections';
import { eventTypeFilter, topologyOf, type Topology } from '@meridian/pubsub';
import { allEventTypes } from './events.ts';
import { platformReactions, reactionSubscriptions, timersProjectionOf } from './reactions.ts';

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
/** The geofence detector reads the telemetry topic too, and writes its facts to the log as vehicle commands. */
export const geofenceSubscription = geofenceDetectorName;

export const platformTopology: Topology = topologyOf(
  [
    { name: eventsTopic, messageRetentionDuration: '604800s' },
    { name: telemetryTopic, messageRetentionDuration: '86400s' },
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
    // Unordered too: the detector restores each vehicle's order by recordedAt, within its lateness.
    { name: geofenceSubscription, topic: telemetryTopic, ordered: false, ackDeadlineSeconds: 60 },
  ],
);
