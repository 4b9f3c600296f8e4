import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { acceptsEventTypes, decodeRecordedEvent } from './event-subscription.ts';
import { recordedEvent } from './testing/index.ts';

test('a message decodes to the envelope it carries', (t) => {
  const event = recordedEvent('parcel-p', 0, 1);
  t.deepEqual(decodeRecordedEvent(Buffer.from(JSON.stringify(event))), E.right(event));
});

test('a message that is not an envelope is refused with a readable reason', (t) => {
  const notJson = decodeRecordedEvent(Buffer.from('{oops'));
  t.true(E.isLeft(notJson) && notJson.left.startsWith('not JSON ('));
  const { eventId: _, ...withoutId } = recordedEvent('parcel-p', 0, 1);
  const decoded = decodeRecordedEvent(Buffer.from(JSON.stringify({ ...withoutId, extra: 1 })));
  t.true(E.isLeft(decoded));
  if (E.isLeft(decoded)) {
    t.regex(decoded.left, /#\/extra is not a known field/);
    t.regex(decoded.left, /#\/eventId is required/);
  }
});

test('a consumer accepts the event types it follows, by the eventType attribute', (t) => {
  const accepts = acceptsEventTypes(['parcel.registered.v1', 'parcel.delivered.v1']);
  t.true(accepts({ eventType: 'parcel.delivered.v1' }));
  t.false(accepts({ eventType: 'route.planned.v1' }));
  t.false(accepts({}));
});
