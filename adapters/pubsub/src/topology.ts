// The Pub/Sub topology as data: topics, and one subscription per consumer with its filter, ordering,
// ack deadline, retry policy and dead-letter topic. Provisioning (provision.ts) and the Terraform in
// infra/ are both generated from the same definition, so they cannot drift apart.

import type { TopicSchema } from './topic-schema.ts';

export type TopicDefinition = {
  readonly name: string;
  /** The schema its messages must conform to (Pub/Sub refuses the others at publish), JSON-encoded. */
  readonly schema?: TopicSchema;
  /** How long the topic keeps messages (for seek and late subscribers), e.g. "604800s". */
  readonly messageRetentionDuration?: string;
};

export type SubscriptionDefinition = {
  readonly name: string;
  readonly topic: string;
  /** Pub/Sub filter syntax over attributes. The emulator ignores filters: consumers check too. */
  readonly filter?: string;
  readonly enableMessageOrdering: boolean;
  readonly ackDeadlineSeconds: number;
  readonly retryPolicy: { readonly minimumBackoffSeconds: number; readonly maximumBackoffSeconds: number };
  /** Absent on the dead-letter subscriptions themselves: their messages wait there for a redrive. */
  readonly deadLetterPolicy?: { readonly deadLetterTopic: string; readonly maxDeliveryAttempts: number };
  readonly retainAckedMessages?: boolean;
};

export type Topology = {
  readonly topics: readonly TopicDefinition[];
  readonly subscriptions: readonly SubscriptionDefinition[];
};

/** A consumer's subscription: everything a consumer of the event plane needs, with the house defaults. */
export type ConsumerSubscription = {
  readonly name: string;
  readonly topic: string;
  readonly filter?: string;
  readonly ordered?: boolean;
  readonly ackDeadlineSeconds?: number;
  readonly maxDeliveryAttempts?: number;
};

export const deadLetterTopicOf = (subscription: string): string => `${subscription}-dead-letter`;
/** Dead-lettered messages are kept on this subscription until they are redriven. */
export const deadLetterSubscriptionOf = (subscription: string): string => `${subscription}-dead-letter`;

/** `hasPrefix(attributes.eventType, "parcel.") OR ...` for the aggregates whose event types are given. */
export const eventTypeFilter = (eventTypes: readonly string[]): string | undefined => {
  const prefixes = [...new Set(eventTypes.map((type) => `${type.split('.')[0]}.`))].sort();
  if (prefixes.length === 0) return undefined;
  return prefixes.map((prefix) => `hasPrefix(attributes.eventType, "${prefix}")`).join(' OR ');
};

/** A subscription's ack deadline where its consumer names none. */
export const defaultAckDeadlineSeconds = 60;

/** Builds the topology: each consumer gets a subscription, a dead-letter topic and a subscription on it. */
export const topologyOf = (topics: readonly TopicDefinition[], consumers: readonly ConsumerSubscription[]): Topology => ({
  topics: [...topics, ...consumers.map((c) => ({ name: deadLetterTopicOf(c.name), messageRetentionDuration: '604800s' }))],
  subscriptions: consumers.flatMap((c): SubscriptionDefinition[] => [
    {
      name: c.name,
      topic: c.topic,
      ...(c.filter !== undefined && { filter: c.filter }),
      enableMessageOrdering: c.ordered ?? true,
      ackDeadlineSeconds: c.ackDeadlineSeconds ?? defaultAckDeadlineSeconds,
      // Five attempts spread over minutes, not seconds: a short outage of a store or a bad deploy should be
      // waited out, not dead-letter everything in flight (and, through gaps, the rest of those streams).
      retryPolicy: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 },
      deadLetterPolicy: { deadLetterTopic: deadLetterTopicOf(c.name), maxDeliveryAttempts: c.maxDeliveryAttempts ?? 5 },
    },
    {
      name: deadLetterSubscriptionOf(c.name),
      topic: deadLetterTopicOf(c.name),
      enableMessageOrdering: false,
      ackDeadlineSeconds: defaultAckDeadlineSeconds,
      retryPolicy: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 },
    },
  ]),
});
