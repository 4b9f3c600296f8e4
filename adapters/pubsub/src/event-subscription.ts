// A consumer of the event plane on Pub/Sub: its subscription carries RecordedEvents (the envelope as JSON,
// or as the Avro JSON of the topic's schema, decoded with the kernel's codec at this edge) of the event
// types the consumer follows.
import { fieldErrors, RecordedEventCodec, type ConsumerDefinition, type RecordedEvent, type Subscription } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { MessageAttributes } from './attributes.ts';
import { createPubSubSubscription, type PubSubSubscriptionDeps } from './pubsub-subscription.ts';
import { plainJsonEncoding, type MessageEncoding } from './topic-schema.ts';
import { deadLetterTopicOf, defaultAckDeadlineSeconds } from './topology.ts';

export type EventSubscriptionDeps = Omit<
  PubSubSubscriptionDeps<RecordedEvent>,
  'subscription' | 'decode' | 'accepts' | 'deadLetterTopic'
> & {
  /** Its name is the subscription's. */
  readonly consumer: ConsumerDefinition;
  /** Default: the topology's dead-letter topic of the consumer. */
  readonly deadLetterTopic?: string;
  /** How the topic writes its messages (default: plain JSON, a topic without a schema). */
  readonly encoding?: MessageEncoding;
};

type DecodeErrors = Parameters<typeof fieldErrors>[0];

const describe = (errors: DecodeErrors): string =>
  `not an event envelope: ${fieldErrors(errors)
    .map((error) => `${error.pointer} ${error.detail}`)
    .join('; ')}`;

/** The envelope, or a readable list of what is wrong with it (which becomes the dead letter's reason). */
export const decodeRecordedEvent = (data: Buffer, encoding: MessageEncoding = plainJsonEncoding): E.Either<string, RecordedEvent> =>
  pipe(
    encoding.decode(data),
    E.chain((json) => pipe(RecordedEventCodec.decode(json), E.mapLeft(describe))),
  );

/** Does the consumer follow this event type? Checked on the eventType attribute, before decoding. */
export const acceptsEventTypes = (eventTypes: readonly string[]): ((attributes: MessageAttributes) => boolean) => {
  const followed = new Set(eventTypes);
  return (attributes) => followed.has(attributes['eventType'] ?? '');
};

/**
 * A delivery may be settled after the handler returned, until the subscription's ack deadline: a consumer
 * holds an event that came before an earlier one of its stream (the stream guard's gap) until that one
 * comes, rather than nack it and spend one of its attempts (see the consumer runtime's holdGapsMs).
 */
export const eventSettleWithinMs = 1000 * defaultAckDeadlineSeconds;

export const createEventSubscription = ({
  consumer,
  deadLetterTopic,
  encoding = plainJsonEncoding,
  ...deps
}: EventSubscriptionDeps): Subscription<RecordedEvent> =>
  createPubSubSubscription({
    settleWithinMs: eventSettleWithinMs,
    ...deps,
    subscription: consumer.name,
    decode: (data) => decodeRecordedEvent(data, encoding),
    accepts: acceptsEventTypes(consumer.eventTypes),
    deadLetterTopic: deadLetterTopic ?? deadLetterTopicOf(consumer.name),
  });
