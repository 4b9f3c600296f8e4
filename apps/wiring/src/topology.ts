// The platform's event plane: its topics, and every consumer with the streams it follows. The Pub/Sub
// subscriptions, the embedded log subscriptions and the Terraform in infra/ all come from this one list.
import type { ConsumerDefinition } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { eventTypeFilter, topologyOf, type Topology } from '@meridian/pubsub';
import { routeEvents } from '@meridian/route';
import { vehicleEvents } from '@meridian/vehicle';

export const eventsTopic = 'logistics-events';
export const telemetryTopic = 'vehicle-telemetry';

const parcelTypes = parcelEvents.wireTypes;
const routeTypes = routeEvents.wireTypes;
const vehicleTypes = vehicleEvents.wireTypes;

/** Consumers of the event topic, by role. Each follows whole streams (see ConsumerDefinition). */
export const eventConsumers = {
  parcelStatus: { name: 'parcel-status-projector', eventTypes: parcelTypes },
  routeBoard: { name: 'route-board-projector', eventTypes: routeTypes },
  fleet: { name: 'fleet-projector', eventTypes: [...vehicleTypes, ...parcelTypes] },
  archiver: { name: 'event-archiver', eventTypes: [...parcelTypes, ...routeTypes, ...vehicleTypes] },
  webhooks: { name: 'webhook-dispatcher', eventTypes: parcelTypes },
} as const satisfies Record<string, ConsumerDefinition>;

/** The live map consumes the telemetry topic, never the log. */
export const liveMapSubscription = 'live-map-projector';

export const platformTopology: Topology = topologyOf(
  [
    { name: eventsTopic, messageRetentionDuration: '604800s' },
    { name: telemetryTopic, messageRetentionDuration: '86400s' },
  ],
  [
    ...Object.values(eventConsumers).map((consumer) => {
      const filter = consumer.name === eventConsumers.archiver.name ? undefined : eventTypeFilter(consumer.eventTypes);
      return { name: consumer.name, topic: eventsTopic, ...(filter !== undefined && { filter }) };
    }),
    // Pings are a firehose: no ordering across the topic (order per vehicle is restored by recordedAt).
    { name: liveMapSubscription, topic: telemetryTopic, ordered: false, ackDeadlineSeconds: 30 },
  ],
);
