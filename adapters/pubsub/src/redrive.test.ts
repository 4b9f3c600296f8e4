import test from 'ava';
import { eventMessageOf, withDeadLetterNote } from './attributes.ts';
import { redriveOrder, republishedMessageOf } from './redrive.ts';
import { recordedEvent } from './testing/index.ts';

const letterOf = (message: { data: Buffer; attributes: Readonly<Record<string, string>> }) => ({
  data: message.data,
  attributes: withDeadLetterNote(message.attributes, { consumer: 'c', reason: 'r', attempt: 5, deadLetteredAt: 'now' }),
});

test('events are redriven in log order, anything else after them as it arrived', (t) => {
  const [a, b, c] = [recordedEvent('parcel-a', 0, 5), recordedEvent('parcel-a', 1, 9), recordedEvent('parcel-b', 0, 7)];
  const other1 = { data: Buffer.from('not json'), attributes: {} };
  const other2 = { data: Buffer.from('{"ping":1}'), attributes: {} };
  const letters = [other1, letterOf(eventMessageOf(b!)), other2, letterOf(eventMessageOf(a!)), letterOf(eventMessageOf(c!))];
  t.deepEqual(redriveOrder(letters), [letters[3], letters[4], letters[1], other1, other2]);
});

test('a dead letter is republished as first published: original attributes, stream as ordering key', (t) => {
  const original = eventMessageOf(recordedEvent('parcel-a', 0, 5));
  t.deepEqual(republishedMessageOf(letterOf(original)), original);
  t.deepEqual(
    republishedMessageOf({ data: Buffer.from('x'), attributes: { deadLetterReason: 'r' } }),
    { data: Buffer.from('x'), attributes: {} },
    'no stream, no ordering key',
  );
});
