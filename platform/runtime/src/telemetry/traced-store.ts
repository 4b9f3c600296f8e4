// The event store with a span per append, whose W3C traceparent the appended events carry in their
// metadata: whoever appends (the API's command handling, a reactor, a process manager, a timer), the events
// continue the trace that caused them, and every consumer's handling of them is a child of this append. Each
// append that appends also records its group's size (`meridian.append.group_size`, by aggregate).
import type { EventStore } from '@meridian/kernel';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { recordAppendGroup } from './instruments.ts';

const traceparentNow = (): string | undefined => {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
};

export const tracedEventStore = (store: EventStore): EventStore => ({
  ...store,
  append: (request) => {
    const aggregate = request.streamId.split('-')[0] ?? '';
    return trace
      .getTracer('meridian-event-store')
      .startActiveSpan(
        `append ${aggregate}`,
        { kind: SpanKind.PRODUCER, attributes: { 'meridian.stream': request.streamId, 'meridian.events': request.events.length } },
        async (span) => {
          const traceparent = traceparentNow();
          try {
            const result = await store.append(
              traceparent === undefined
                ? request
                : { ...request, events: request.events.map((event) => ({ ...event, metadata: { ...event.metadata, traceparent } })) },
            );
            span.setAttribute('meridian.append.outcome', result.outcome);
            // Only what was written: a duplicate or a conflict appended nothing.
            if (result.outcome === 'appended') recordAppendGroup(aggregate, request.events.length);
            return result;
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
            throw error;
          } finally {
            span.end();
          }
        },
      );
  },
});
