// Everything the platform needs from Pub/Sub, behind the bus ports: the SDK stays inside this adapter.
import { PubSub } from '@google-cloud/pubsub';
import {
  silentLogger,
  type ConsumerDefinition,
  type Logger,
  type Publisher,
  type RecordedEvent,
  type Subscription,
} from '@meridian/kernel';
import type * as E from 'fp-ts/lib/Either.js';
import type { MessageAttributes } from './attributes.ts';
import { createEventPublisher } from './event-publisher.ts';
import { createEventSubscription } from './event-subscription.ts';
import { createMessagePublisher } from './message-publisher.ts';
import { provisionTopology } from './provision.ts';
import { createPubSubSubscription } from './pubsub-subscription.ts';
import type { PullMode } from './unary-pull.ts';
import { inspectDeadLetters, redriveDeadLetters, type InspectedDeadLetter, type RedriveResult } from './redrive.ts';
import { eventEncoding } from './topic-schema.ts';
import { seekSubscription, snapshotSubscription, type SeekTarget } from './seek.ts';
import { deadLetterTopicOf, defaultAckDeadlineSeconds, type Topology } from './topology.ts';

export type PubSubBusOptions<T> = {
  readonly projectId?: string;
  /** host:port of an emulator; when absent the client also honours PUBSUB_EMULATOR_HOST itself. */
  readonly emulatorHost?: string;
  /** The topics and subscriptions: where each consumer's dead letters go back to on a redrive. */
  readonly topology: Topology;
  /** Provision the topology (idempotently) before anything else. */
  readonly provision?: boolean;
  readonly eventsTopic: string;
  readonly telemetry: {
    readonly topic: string;
    readonly decode: (data: Buffer) => E.Either<string, T>;
    readonly attributesOf: (message: T) => MessageAttributes;
  };
  readonly logger?: Logger;
  /** How every subscription receives: streaming pull (the default) or unary Pull (for the emulator, ./unary-pull.ts). */
  readonly pull?: PullMode;
};

export type PubSubBus<T> = {
  readonly events: (consumer: ConsumerDefinition) => Subscription<RecordedEvent>;
  readonly eventPublisher: Publisher<RecordedEvent>;
  readonly telemetryPublisher: Publisher<T>;
  /** A subscription of the telemetry topic, by its name (the live map's, the telemetry archiver's). */
  readonly telemetry: (subscription: string) => Subscription<T>;
  /** Republishes a consumer's dead letters to the topic it reads (consumers are idempotent). */
  readonly redrive: (consumer: string) => Promise<RedriveResult>;
  /** What waits on a consumer's dead-letter subscription, left in place. */
  readonly deadLetters: (consumer: string, options?: { idleMs?: number }) => Promise<InspectedDeadLetter[]>;
  /** Snapshots a subscription (before a deploy), to seek it back to later. */
  readonly snapshot: (subscription: string, snapshot: string) => Promise<void>;
  /** Seeks a subscription to a snapshot or a time: what was acked since is delivered again. */
  readonly seek: (subscription: string, target: SeekTarget) => Promise<void>;
  readonly close: () => Promise<void>;
};

export const openPubSubBus = async <T>(options: PubSubBusOptions<T>): Promise<PubSubBus<T>> => {
  const logger = options.logger ?? silentLogger;
  const pull = options.pull !== undefined ? { pull: options.pull } : {};
  const pubsub = new PubSub({
    ...(options.projectId !== undefined && { projectId: options.projectId }),
    ...(options.emulatorHost !== undefined && { apiEndpoint: options.emulatorHost, emulatorMode: true }),
  });
  if (options.provision === true) await provisionTopology(pubsub, options.topology, { logger });
  /** A redrive returns dead letters to the topic their subscription reads (telemetry to telemetry). */
  const sourceTopicOf = (consumer: string) => options.topology.subscriptions.find((s) => s.name === consumer)?.topic ?? options.eventsTopic;
  // The event topic's schema decides how envelopes are written (Avro JSON) and read back.
  const encoding = eventEncoding(options.topology.topics.find((topic) => topic.name === options.eventsTopic)?.schema);
  const eventPublisher = createEventPublisher(pubsub, options.eventsTopic, undefined, encoding);
  const telemetryPublisher = createMessagePublisher<T>(pubsub, options.telemetry.topic, { attributesOf: options.telemetry.attributesOf });
  return {
    events: (consumer) => createEventSubscription({ pubsub, consumer, logger, encoding, ...pull }),
    eventPublisher,
    telemetryPublisher,
    telemetry: (subscription) =>
      createPubSubSubscription<T>({
        pubsub,
        subscription,
        decode: options.telemetry.decode,
        deadLetterTopic: deadLetterTopicOf(subscription),
        logger,
        maxBatch: 1000,
        ...pull,
        // As the embedded queue: a ping may be acked after its handler returned (the live map acks once a
        // write covering it commits), until the subscription's ack deadline.
        settleWithinMs:
          1000 * (options.topology.subscriptions.find((s) => s.name === subscription)?.ackDeadlineSeconds ?? defaultAckDeadlineSeconds),
      }),
    redrive: (consumer) => redriveDeadLetters({ pubsub, subscription: consumer, targetTopic: sourceTopicOf(consumer), logger }),
    snapshot: (subscription, snapshot) => snapshotSubscription(pubsub, subscription, snapshot),
    seek: (subscription, target) => seekSubscription(pubsub, subscription, target),
    deadLetters: (consumer, { idleMs } = {}) =>
      inspectDeadLetters({ pubsub, subscription: consumer, ...(idleMs !== undefined && { idleMs }) }),
    close: async () => {
      await Promise.all([eventPublisher.close(), telemetryPublisher.close()]);
      await pubsub.close();
    },
  };
};
