// A publisher for anything that travels as JSON (telemetry pings): attributes for routing and filtering,
// an optional ordering key. Like the event publisher, `publish` answers only once every message is confirmed.
import type { PublishOptions, PubSub } from '@google-cloud/pubsub';
import { published, type Publisher } from '@meridian/kernel';
import type { MessageAttributes } from './attributes.ts';

export type MessagePublisherOptions<M> = {
  readonly attributesOf: (message: M) => MessageAttributes;
  /** Ordering keys make Pub/Sub keep per-key order, at the cost of one request in flight per key. */
  readonly orderingKeyOf?: (message: M) => string;
  /** Firehose defaults: large batches, a short wait (a ping batch of 1,000 goes out in one request). */
  readonly publishOptions?: PublishOptions;
};

/** Why a publish was refused (a rejection's reason is whatever was thrown). */
const reasonOf = (result: PromiseRejectedResult): unknown => result.reason;

export const createMessagePublisher = <M>(pubsub: PubSub, topicName: string, options: MessagePublisherOptions<M>): Publisher<M> => {
  const ordered = options.orderingKeyOf !== undefined;
  const topic = pubsub.topic(topicName, {
    batching: { maxMessages: 1000, maxBytes: 9 * 1024 * 1024, maxMilliseconds: 5 },
    ...options.publishOptions,
    messageOrdering: ordered,
  });
  const publish: Publisher<M>['publish'] = async (messages) => {
    const results = await Promise.allSettled(
      messages.map((message) =>
        topic.publishMessage({
          data: Buffer.from(JSON.stringify(message)),
          attributes: options.attributesOf(message),
          ...(ordered && { orderingKey: options.orderingKeyOf!(message) }),
        }),
      ),
    );
    const failures = results.flatMap((result, index) => (result.status === 'rejected' ? [{ index, reason: reasonOf(result) }] : []));
    if (failures.length === 0) return published;
    if (ordered) for (const { index } of failures) topic.resumePublishing(options.orderingKeyOf!(messages[index]!));
    throw new AggregateError(
      failures.map((f) => f.reason),
      `${failures.length} of ${messages.length} messages were not published to ${topicName}`,
    );
  };
  return { publish, close: () => topic.flush() };
};
