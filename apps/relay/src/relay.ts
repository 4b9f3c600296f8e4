// The relay is a gateway: subscription (the log, from its checkpoint) → transform (none: the envelope is
// the message) → producer (the bus topic). A batch is acknowledged only when the bus confirmed every
// message in it, so the checkpoint never passes an event whose publish was not confirmed. After a crash
// the unconfirmed tail is published again: duplicates are allowed, consumers absorb them.
//
// Each event's publish is a span, child of the append that recorded it; the message carries the publish
// span's traceparent (in the envelope's metadata and the message attributes), so a consumer's handling on
// the other side of the broker is its child. The event in the log keeps its own.
import { failureKindOf, type BatchHandler, type Logger, type Publisher, type RecordedEvent } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { eventContext } from '@meridian/projections';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

export type RelayDeps = {
  readonly publisher: Publisher<RecordedEvent>;
  readonly logger: Logger;
  readonly onPublished?: (events: readonly RecordedEvent[]) => void;
};

export const relayBatch =
  ({ publisher, logger, onPublished }: RelayDeps): BatchHandler<RecordedEvent> =>
  async (deliveries) => {
    const spans = deliveries.map(({ message }) => publishSpan(message));
    const events = deliveries.map(({ message }, index) => withTraceparentOf(message, spans[index]));
    try {
      const answer = await publisher.publish(events);
      // The event bus is not bounded here; were it full, the batch is published again like after a failure.
      if (E.isLeft(answer)) throw new Error(`the bus is full; again in ${answer.left.retryAfterSeconds} s`);
      spans.forEach((span) => span?.end());
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      spans.forEach((span) => span?.setStatus({ code: SpanStatusCode.ERROR, message: reason }).end());
      // A permanent failure (the topic's schema refused an event) is a bug to fix and deploy, not an outage:
      // it is logged as an error, and the relay still waits at that event (skipping it would leave a gap in
      // its stream for every consumer) and publishes it again after the fix.
      if (failureKindOf(error) === 'permanent')
        logger.error('publish refused; the relay waits at this batch until a fix is deployed', {
          size: events.length,
          first: events[0]?.globalPosition,
          reason,
          failure: 'permanent',
        });
      else
        logger.warn('publish failed; the batch will be published again', { size: events.length, first: events[0]?.globalPosition, reason });
      deliveries.forEach((d) => d.retry(reason));
      return;
    }
    deliveries.forEach((d) => d.ack());
    const last = events[events.length - 1];
    logger.debug('relayed', { size: events.length, through: last?.globalPosition });
    onPublished?.(events);
  };

const publishSpan = (event: RecordedEvent): Span =>
  trace.getTracer('meridian-relay').startSpan(
    `publish ${event.type}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'gcp_pubsub', 'meridian.event.id': event.eventId, 'meridian.stream': event.streamId },
    },
    eventContext(event),
  );

/** The event as published: its metadata's traceparent is the publish span's. */
const withTraceparentOf = (event: RecordedEvent, span: Span | undefined): RecordedEvent => {
  const carrier: Record<string, string> = {};
  if (span !== undefined) propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  const traceparent = carrier['traceparent'];
  return traceparent === undefined ? event : { ...event, metadata: { ...event.metadata, traceparent } };
};
