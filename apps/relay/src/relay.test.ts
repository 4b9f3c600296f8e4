// The relay's publish is a span, child of the append that recorded the event; the message carries the
// publish span's traceparent (same trace), while a failed publish leaves nothing acked and a failed span.
// Refused by the topic's schema (a permanent failure), a batch is retried (the relay never skips an event of
// the ordered log) and logged as an error, not as an outage.
import { permanent, silentLogger, type Delivery, type Logger, type Publisher, type RecordedEvent } from '@meridian/kernel';
import { addSpanProcessor } from '@meridian/runtime';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as E from 'fp-ts/lib/Either.js';
import test from 'ava';
import { relayBatch } from './relay.ts';

const spans = new InMemorySpanExporter();
addSpanProcessor(new SimpleSpanProcessor(spans));

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const event = (eventId: string, appendSpan: string): RecordedEvent => ({
  eventId,
  type: 'parcel.delivered.v1',
  schemaVersion: 1,
  streamId: 'parcel-p-1',
  streamRevision: 4,
  globalPosition: 9,
  recordedAt: '2026-12-05T00:00:00.000Z',
  data: {},
  metadata: {
    correlationId: 'c-1',
    causationId: 'c-1',
    actor: { principalId: 'driver-1', role: 'driver' },
    traceparent: `00-${traceId}-${appendSpan}-01`,
  },
});

const deliveryOf = (message: RecordedEvent, settled: string[]): Delivery<RecordedEvent> => ({
  message,
  attempt: 1,
  ack: () => settled.push(`ack ${message.eventId}`),
  retry: () => settled.push(`retry ${message.eventId}`),
  deadLetter: () => settled.push(`dead ${message.eventId}`),
});

const publisherOf = (published: RecordedEvent[], fails: false | Error = false): Publisher<RecordedEvent> => ({
  publish: async (events) => {
    if (fails !== false) throw fails;
    published.push(...events);
    return E.right(undefined);
  },
  close: async () => {},
});

test('each event is published in a span of its append trace, and the message carries that span', async (t) => {
  const published: RecordedEvent[] = [];
  const settled: string[] = [];
  await relayBatch({ publisher: publisherOf(published), logger: silentLogger })([deliveryOf(event('e-1', '00f067aa0ba902b7'), settled)]);
  t.deepEqual(settled, ['ack e-1']);
  const span = spans.getFinishedSpans().find((s) => s.attributes['meridian.event.id'] === 'e-1');
  t.is(span?.name, 'publish parcel.delivered.v1');
  t.is(span?.spanContext().traceId, traceId);
  t.is(span?.parentSpanContext?.spanId, '00f067aa0ba902b7');
  t.is(published[0]?.metadata.traceparent, `00-${traceId}-${span?.spanContext().spanId}-01`);
  t.like(published[0], { eventId: 'e-1', data: {}, metadata: { correlationId: 'c-1' } });
});

test('a failed publish retries the batch and ends its spans as errors', async (t) => {
  const settled: string[] = [];
  await relayBatch({ publisher: publisherOf([], new Error('broker down')), logger: silentLogger })([
    deliveryOf(event('e-2', '00f067aa0ba902b8'), settled),
  ]);
  t.deepEqual(settled, ['retry e-2']);
  const span = spans.getFinishedSpans().find((s) => s.attributes['meridian.event.id'] === 'e-2');
  t.is(span?.status.code, SpanStatusCode.ERROR);
});

const loggerOf = (lines: { level: string; message: string; fields: Record<string, unknown> }[]): Logger => ({
  ...silentLogger,
  warn: (message, fields = {}) => lines.push({ level: 'warn', message, fields }),
  error: (message, fields = {}) => lines.push({ level: 'error', message, fields }),
});

test('an outage is retried and logged as a warning', async (t) => {
  const settled: string[] = [];
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  await relayBatch({ publisher: publisherOf([], new Error('unavailable')), logger: loggerOf(lines) })([
    deliveryOf(event('e-3', '00f067aa0ba902b9'), settled),
  ]);
  t.deepEqual(settled, ['retry e-3']);
  t.like(lines, [{ level: 'warn' }]);
});

test('a refusal by the topic schema is retried, never dead-lettered, and logged as a permanent error', async (t) => {
  const settled: string[] = [];
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const refusing = publisherOf([], permanent('logistics-events refused 1 of 2 events'));
  await relayBatch({ publisher: refusing, logger: loggerOf(lines) })([
    deliveryOf(event('e-4', '00f067aa0ba902ba'), settled),
    deliveryOf(event('e-5', '00f067aa0ba902bb'), settled),
  ]);
  t.deepEqual(settled, ['retry e-4', 'retry e-5']);
  t.like(lines, [{ level: 'error', fields: { failure: 'permanent', first: 9 } }]);
});
