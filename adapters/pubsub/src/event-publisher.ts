// The event producer: what the relay uses to put the log onto the bus. Each event is one message (the whole
// envelope as JSON, routing facts as attributes, the stream as ordering key). `publish` answers only once
// Pub/Sub has confirmed every message, so the relay moves its checkpoint past events that are really out.
import type { PublishOptions, PubSub } from '@google-cloud/pubsub';
import { permanent, published, type Publisher, type RecordedEvent } from '@meridian/kernel';
import { eventMessageOf, orderingKeyOf } from './attributes.ts';
import { plainJsonEncoding, type MessageEncoding } from './topic-schema.ts';

/**
 * Resolves when every event is confirmed (never Saturated: the topic is not bounded here); rejects (an
 * AggregateError of the failures) if any is not. `close` sends whatever is still buffered; the PubSub client
 * stays open: whoever made it closes it.
 */
export type EventPublisher = Publisher<RecordedEvent>;

/**
 * Tuned for the relay's throughput. The client batches per ordering key (one request in flight per key, to
 * keep the order), so a relay batch of events from many streams becomes one request per stream:
 * - maxMessages 1000 and maxBytes 9 MiB: the API's per-request limits (1000 messages, 10 MB), so a busy
 *   stream's burst goes out in as few requests as possible;
 * - maxMilliseconds 5: the relay awaits each `publish`, so a batch must not sit waiting long for company; 5 ms
 *   lets the messages of one `publish` call (enqueued together) and of concurrent callers share requests.
 * Ordering is switched on for the topic handle, which ordering keys require.
 */
export const eventPublishOptions: PublishOptions = {
  messageOrdering: true,
  batching: { maxMessages: 1000, maxBytes: 9 * 1024 * 1024, maxMilliseconds: 5 },
};

const reasonOf = (result: PromiseSettledResult<unknown> | undefined): unknown =>
  result?.status === 'rejected' ? result.reason : undefined;

// gRPC INVALID_ARGUMENT: the topic's schema refused the message. Publishing it again cannot help.
const invalidArgument = 3;
const isRefusedBySchema = (reason: unknown): boolean =>
  typeof reason === 'object' && reason !== null && 'code' in reason && reason.code === invalidArgument;

export const createEventPublisher = (
  pubsub: PubSub,
  topicName: string,
  options: PublishOptions = eventPublishOptions,
  encoding: MessageEncoding = plainJsonEncoding,
): EventPublisher => {
  const topic = pubsub.topic(topicName, { ...options, messageOrdering: true });

  const publish: EventPublisher['publish'] = async (events) => {
    const results = await Promise.allSettled(events.map((event) => topic.publishMessage(eventMessageOf(event, encoding))));
    const failed = events.filter((_, index) => results[index]?.status === 'rejected');
    if (failed.length === 0) return published;
    // After a failure the client refuses every later message of that key (so none can overtake the lost
    // one) until told to resume; the caller retries the whole batch, and duplicates are absorbed downstream.
    for (const key of new Set(failed.map(orderingKeyOf))) topic.resumePublishing(key);
    const reasons = results.map(reasonOf).filter((reason) => reason !== undefined);
    const refused = failed.filter((_, index) => isRefusedBySchema(reasons[index]));
    if (refused.length > 0)
      throw permanent(
        `${topicName} refused ${refused.length} of ${events.length} events (its schema: the message does not conform): ${refused
          .map((event) => `${event.eventId} (${event.type})`)
          .join(', ')}: ${reasons[0] instanceof Error ? reasons[0].message : String(reasons[0])}`,
        new AggregateError(reasons),
      );
    throw new AggregateError(
      reasons,
      `${failed.length} of ${events.length} events were not published to ${topicName} (first: ${failed[0]?.eventId}): ${reasons[0] instanceof Error ? reasons[0].message : String(reasons[0])}`,
    );
  };

  return { publish, close: () => topic.flush() };
};
