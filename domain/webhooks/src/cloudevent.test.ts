// The CloudEvent a receiver gets: its `sequence` sorts as a string, and the official SDK accepts it.
import type { RecordedEvent } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import test from 'ava';
import { CloudEvent, HTTP } from 'cloudevents';
import * as E from 'fp-ts/lib/Either.js';
import { parcelCloudEvent, sequenceOf, sequenceWidth, serialiseCloudEvent } from './cloudevent.ts';
import { parcelEventData } from './testing/index.ts';

const recorded = (streamRevision: number): RecordedEvent => {
  const { type, data } = parcelEventData(Math.min(streamRevision, 6), 'p-1', 'acme');
  return {
    eventId: '0195f0d4-6c3a-7b1e-9a4e-3f2d1c0b9a87',
    type,
    schemaVersion: 1,
    streamId: 'parcel-p-1',
    streamRevision,
    globalPosition: streamRevision + 1,
    recordedAt: '2026-11-21T08:00:00.000Z',
    data,
    metadata: { correlationId: 'corr-1', causationId: 'cause-1', actor: { principalId: 'test', role: 'admin' } },
  };
};

const cloudEventOf = (streamRevision: number) => {
  const event = recorded(streamRevision);
  const decoded = parcelEvents.decode(event);
  if (E.isLeft(decoded)) throw new Error(decoded.left);
  return parcelCloudEvent(event, decoded.right);
};

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

test('sequence values compare as strings the way their revisions compare as numbers', (t) => {
  const revisions = [0, 1, 2, 9, 10, 11, 99, 100, 1_000, 123_456_789, 2 ** 32, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER];
  // Unpadded, "10" sorts before "2": the defect this width fixes.
  t.true('10' < '2');
  t.true(sequenceOf(2) < sequenceOf(10));
  const shuffled = [...revisions].reverse();
  t.deepEqual(shuffled.map(sequenceOf).sort(byString), revisions.map(sequenceOf));
  for (const a of revisions)
    for (const b of revisions) t.is(Math.sign(byString(sequenceOf(a), sequenceOf(b))), Math.sign(a - b), `${a} against ${b}`);
});

test('the width holds every revision the port can hold, and nothing else is a revision', (t) => {
  t.is(String(Number.MAX_SAFE_INTEGER).length, sequenceWidth);
  t.is(sequenceOf(0), '0000000000000000');
  t.is(sequenceOf(Number.MAX_SAFE_INTEGER), '9007199254740991');
  t.true([0, 5, 10, 2 ** 40, Number.MAX_SAFE_INTEGER].every((revision) => sequenceOf(revision).length === sequenceWidth));
  for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY])
    t.throws(() => sequenceOf(bad), { instanceOf: RangeError });
});

test('the official cloudevents SDK validates the events, with the padded sequence, at both ends of the range', (t) => {
  for (const revision of [0, 2, 10, Number.MAX_SAFE_INTEGER]) {
    const event = cloudEventOf(revision);
    t.is(event.sequence, sequenceOf(revision));
    // Strict construction validates every attribute, extensions included; it throws on an invalid event.
    const validated = new CloudEvent(event);
    t.true(validated.validate());
    const body = serialiseCloudEvent(event);
    const received = HTTP.toEvent({ headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body });
    if (Array.isArray(received)) throw new Error('a batch, not one event');
    t.is(received.sequence, sequenceOf(revision));
    t.true(new CloudEvent(received).validate(), 'what a receiver parses is a valid event');
  }
});

test("a proof image's CloudEvent links the image and its thumbnail on the query API", (t) => {
  const event: RecordedEvent = {
    ...recorded(7),
    type: 'parcel.proof-received.v1',
    data: {
      parcelId: 'p-1',
      clientId: 'acme',
      key: `pod/${'b'.repeat(64)}`,
      contentType: 'image/jpeg',
      sizeBytes: 1234,
      sha256: 'b'.repeat(64),
      receivedAt: '2026-11-21T09:00:00Z',
    },
  };
  const decoded = parcelEvents.decode(event);
  if (E.isLeft(decoded)) return void t.fail(decoded.left);
  t.like(parcelCloudEvent(event, decoded.right).data, {
    status: 'Delivered',
    sha256: 'b'.repeat(64),
    links: { image: '/v1/parcels/p-1/proof', thumbnail: '/v1/parcels/p-1/proof/thumbnail' },
  });
});
