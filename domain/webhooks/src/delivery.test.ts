// Deliveries as data: their ids and lanes, how one is made for a parcel event or a test, and their stored form.
import { decodeDocument, type RecordedEvent } from '@meridian/kernel';
import test from 'ava';
import {
  laneOf,
  newDelivery,
  parcelEventDelivery,
  testEventDelivery,
  testLaneOf,
  webhookDeliveries,
  webhookIdOf,
  webhookTestEventType,
} from './delivery.ts';
import { webhookTestType } from './cloudevent.ts';
import { anEndpoint } from './testing/index.ts';

const t0 = new Date('2026-11-21T09:00:00.000Z');
const endpoint = anEndpoint('e-1');
const event: Pick<RecordedEvent, 'eventId' | 'type' | 'streamRevision' | 'globalPosition'> = {
  eventId: 'ev-1',
  type: 'parcel.loaded.v1',
  streamRevision: 2,
  globalPosition: 17,
};

test('a webhook-id is stable for an endpoint and an event, and new for each replay; lanes follow the same rule', (t) => {
  t.is(webhookIdOf('e-1', 'ev-1'), webhookIdOf('e-1', 'ev-1'));
  t.not(webhookIdOf('e-1', 'ev-1'), webhookIdOf('e-2', 'ev-1'));
  t.not(webhookIdOf('e-1', 'ev-1'), webhookIdOf('e-1', 'ev-1', 'replay-1'));
  t.regex(webhookIdOf('e-1', 'ev-1'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.is(laneOf('e-1', 'p-1'), 'e-1|p-1');
  t.is(laneOf('e-1', 'p-1', 'replay-1'), 'e-1|p-1|replay-1');
  t.is(testLaneOf('e-1', 'w-9'), 'e-1|test|w-9');
});

test("a parcel event's delivery: due at once, in its parcel's lane (the replay's own when replayed)", (t) => {
  const live = parcelEventDelivery({ endpoint, event, parcelId: 'p-1', body: '{"id":"ev-1"}', replayId: null, now: t0 });
  t.like(live, {
    webhookId: webhookIdOf('e-1', 'ev-1'),
    endpointId: 'e-1',
    clientId: 'acme',
    eventType: 'parcel.loaded.v1',
    lane: 'e-1|p-1',
    streamRevision: 2,
    globalPosition: 17,
    status: 'pending',
    nextAttemptAt: t0.toISOString(),
    blockedBy: null,
    waiting: [],
    roundStart: 0,
  });
  const replayed = parcelEventDelivery({ endpoint, event, parcelId: 'p-1', body: '{}', replayId: 'r-1', now: t0 });
  t.like(replayed, { webhookId: webhookIdOf('e-1', 'ev-1', 'r-1'), lane: 'e-1|p-1|r-1', replayId: 'r-1' });
});

test('a test event goes in a lane of its own, as a meridian.webhook.test.v1 CloudEvent', (t) => {
  const delivery = testEventDelivery({ endpoint, webhookId: 'w-9', eventId: 'ev-9', now: t0 });
  t.like(delivery, { lane: 'e-1|test|w-9', eventType: webhookTestEventType, parcelId: '', status: 'pending' });
  t.like(JSON.parse(delivery.body), { id: 'ev-9', type: webhookTestType, subject: 'e-1', data: { endpointId: 'e-1', clientId: 'acme' } });
});

test('a stored delivery decodes as written; one written before the later fields existed still reads; a broken one is refused', (t) => {
  const delivery = parcelEventDelivery({ endpoint, event, parcelId: 'p-1', body: '{}', replayId: null, now: t0 });
  t.deepEqual(decodeDocument(webhookDeliveries, 'w', JSON.parse(JSON.stringify(delivery))), delivery);
  const {
    blockedBy: _b,
    waiting: _w,
    deadReason: _d,
    roundStart: _r,
    leasedAt: _l,
    ...older
  } = newDelivery({
    webhookId: 'w',
    endpoint,
    eventId: 'ev-1',
    eventType: 'parcel.loaded.v1',
    parcelId: 'p-1',
    lane: 'e-1|p-1',
    streamRevision: 0,
    globalPosition: 1,
    body: '{}',
    replayId: null,
    now: t0,
  });
  t.deepEqual(decodeDocument(webhookDeliveries, 'w', older), older);
  t.throws(() => decodeDocument(webhookDeliveries, 'w', { ...delivery, status: 'sent' }), { message: /#\/status/ });
  t.throws(() => decodeDocument(webhookDeliveries, 'w', { ...delivery, attempts: [{ attempt: 1 }] }), { message: /#\/attempts\/0\/at/ });
});
