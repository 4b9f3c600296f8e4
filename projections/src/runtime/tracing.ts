// Spans of a consumer's handling, one per event, each a child of the span that appended the event (the W3C
// traceparent in its metadata, from the log or from a Pub/Sub message's attributes): one trace runs from a
// request through every consumer its events reach, across processes. The OpenTelemetry API only: without
// an SDK installed (pure tests) these are no-ops.
import type { BatchHandler, RecordedEvent } from '@meridian/kernel';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';

/** The context an event's traceparent continues (the root context when it has none). */
export const eventContext = (event: Pick<RecordedEvent, 'metadata'>): Context =>
  event.metadata.traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent: event.metadata.traceparent });

export type HandlingSpans = {
  /** Runs `work` with event `index`'s span as the active context. */
  readonly within: <T>(index: number, work: () => Promise<T>) => Promise<T>;
  /** Ends every span with its event's outcome. */
  readonly end: (outcomes: readonly string[]) => void;
  /** Ends every span as failed. */
  readonly fail: (error: unknown) => void;
};

export const handlingSpans = (consumer: string, events: readonly RecordedEvent[]): HandlingSpans => {
  const tracer = trace.getTracer('meridian-consumers');
  const spans: Span[] = events.map((event) =>
    tracer.startSpan(
      `${consumer} ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'meridian.consumer': consumer,
          'meridian.event.id': event.eventId,
          'meridian.event.type': event.type,
          'meridian.stream': event.streamId,
          'meridian.global_position': event.globalPosition,
        },
      },
      eventContext(event),
    ),
  );
  return {
    within: (index, work) => {
      const span = spans[index];
      return span === undefined ? work() : context.with(trace.setSpan(context.active(), span), work);
    },
    end: (outcomes) =>
      spans.forEach((span, index) => {
        span.setAttribute('meridian.outcome', outcomes[index] ?? 'gap');
        span.end();
      }),
    fail: (error) =>
      spans.forEach((span) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        span.end();
      }),
  };
};

/**
 * A bus handler whose deliveries each get a handling span, ended with how the delivery was settled: for the
 * consumers that are not stream consumers (the archiver), so a trace shows them too.
 */
export const withHandlingSpans =
  (consumer: string, handler: BatchHandler<RecordedEvent>): BatchHandler<RecordedEvent> =>
  async (deliveries) => {
    const spans = handlingSpans(
      consumer,
      deliveries.map((delivery) => delivery.message),
    );
    const outcomes = deliveries.map(() => 'unsettled');
    const settling = deliveries.map((delivery, index) => ({
      ...delivery,
      ack: () => ((outcomes[index] = 'acked'), delivery.ack()),
      retry: (reason: string) => ((outcomes[index] = 'retried'), delivery.retry(reason)),
      deadLetter: (reason: string) => ((outcomes[index] = 'dead-lettered'), delivery.deadLetter(reason)),
    }));
    try {
      await handler(settling);
      spans.end(outcomes);
    } catch (error) {
      spans.fail(error);
      throw error;
    }
  };
