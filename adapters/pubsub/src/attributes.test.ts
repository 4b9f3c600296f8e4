import test from 'ava';
import {
  deadLetterNoteOf,
  eventAttributes,
  eventMessageOf,
  fitAttributeValue,
  withDeadLetterNote,
  withoutDeadLetterNote,
} from './attributes.ts';
import { recordedEvent, testTraceparent } from './testing/index.ts';

test('an event becomes its envelope as JSON, its routing facts as attributes, its stream as ordering key', (t) => {
  const event = recordedEvent('parcel-p-1', 3, 42, 'parcel.delivered.v1');
  const message = eventMessageOf(event);
  t.deepEqual(JSON.parse(message.data.toString('utf8')), event);
  t.is(message.orderingKey, 'parcel-p-1');
  t.deepEqual(message.attributes, {
    eventType: 'parcel.delivered.v1',
    streamId: 'parcel-p-1',
    aggregateType: 'parcel',
    schemaVersion: '1',
    correlationId: event.metadata.correlationId,
    traceparent: testTraceparent,
    eventId: event.eventId,
  });
});

test('traceparent is an attribute only when the event has one', (t) => {
  const { traceparent: _, ...metadata } = recordedEvent('route-r', 0, 1).metadata;
  const attributes = eventAttributes({ ...recordedEvent('route-r', 0, 1), metadata });
  t.false('traceparent' in attributes);
  t.is(attributes['aggregateType'], 'route');
});

test('a dead-letter note is added and removed without touching the original attributes', (t) => {
  const original = eventMessageOf(recordedEvent('parcel-p', 0, 1)).attributes;
  const noted = withDeadLetterNote(original, {
    consumer: 'projector',
    reason: 'gap at revision 2',
    attempt: 5,
    deadLetteredAt: '2026-11-21T09:00:00.000Z',
  });
  t.like(noted, {
    ...original,
    deadLetterReason: 'gap at revision 2',
    deadLetterConsumer: 'projector',
    deliveryAttempt: '5',
    deadLetteredAt: '2026-11-21T09:00:00.000Z',
  });
  t.deepEqual(deadLetterNoteOf(noted), {
    consumer: 'projector',
    reason: 'gap at revision 2',
    attempt: 5,
    deadLetteredAt: '2026-11-21T09:00:00.000Z',
  });
  t.deepEqual(withoutDeadLetterNote(noted), original);
});

test('what Pub/Sub adds when it dead-letters by itself is read as a note and removed too', (t) => {
  const original = { eventType: 'parcel.registered.v1', streamId: 'parcel-p' };
  const forwarded = {
    ...original,
    CloudPubSubDeadLetterSourceDeliveryCount: '5',
    CloudPubSubDeadLetterSourceSubscription: 'projector',
    CloudPubSubDeadLetterSourceSubscriptionProject: 'p',
  };
  t.like(deadLetterNoteOf(forwarded), { consumer: 'projector', attempt: 5 });
  t.deepEqual(withoutDeadLetterNote(forwarded), original);
  t.is(deadLetterNoteOf(original), undefined);
});

test('long reasons are cut to the 1024 bytes Pub/Sub allows in an attribute', (t) => {
  t.is(fitAttributeValue('short'), 'short');
  const cut = fitAttributeValue('é'.repeat(2000));
  t.true(Buffer.byteLength(cut) <= 1024);
  t.true(cut.endsWith('…'));
  t.true(
    Buffer.byteLength(
      withDeadLetterNote({}, { consumer: 'c', reason: 'x'.repeat(5000), attempt: 1, deadLetteredAt: '' })['deadLetterReason']!,
    ) <= 1024,
  );
});
