import { silentLogger, type Delivery, type RecordedEvent } from '@meridian/kernel';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { givenProjection } from '@meridian/kernel/testing';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { projectorConsumer } from '../runtime/projector.ts';
import { streamDeliveries } from '../runtime/stream-consumer.ts';
import { address, createTestLog, openDocuments, parcelFacts, utcAt } from '../testing/index.ts';
import { parcels, parcelStatusProjection } from './projection.ts';
import { parcelStatusQueries } from './queries.ts';
import type { ParcelStatusView } from './view.ts';

const open = async (t: { teardown: (fn: () => Promise<void>) => void }) => {
  const documents = await openDocuments(parcelStatusProjection);
  t.teardown(() => documents.close());
  return { documents, queries: parcelStatusQueries(documents) };
};

/** A late delivery at the second attempt: every field of the view gets a value. */
const lateDelivery = (): RecordedEvent[] => {
  const p = parcelFacts('p-1', { deadline: '09:00' });
  const events: ParcelEvent[] = [
    p.registered('07:00'),
    p.assigned('r-1', '07:10'),
    p.loaded('r-1', 'v-1', '07:30'),
    p.outForDelivery('r-1', 'v-1', 1, '08:00'),
    p.failed('r-1', 'v-1', 1, '08:30'),
    p.outForDelivery('r-1', 'v-1', 2, '09:00'),
    p.delivered('r-1', 'v-1', 2, '09:20'),
    p.slaBreached('09:20', 'Delivered'),
  ];
  return createTestLog().recordAll(parcelEvents, 'parcel-p-1', events);
};

const given = givenProjection(parcelStatusProjection);

const lateDeliveryView: ParcelStatusView = {
  parcelId: 'p-1',
  clientId: 'acme',
  status: 'Delivered',
  recipientName: 'Ada Lovelace',
  address: address('Damrak p-1'),
  weightKg: 2.5,
  slaDeadline: utcAt('09:00'),
  slaBreached: true,
  breachedAt: utcAt('09:20'),
  routeId: 'r-1',
  vehicleId: 'v-1',
  attempts: 2,
  proofOfDelivery: {
    kind: 'signature',
    reference: 'sig-p-1',
    receivedBy: null,
    location: { lat: 52.3701, lng: 4.8952 },
    deliveredAt: utcAt('09:20'),
  },
  lastFailure: { reason: 'recipient-absent', at: utcAt('08:30'), attempt: 1, attemptsLeft: 2, note: 'nobody home', location: null },
  eta: null,
  timeline: [
    { type: 'parcel.registered.v1', at: utcAt('07:00'), revision: 0 },
    { type: 'parcel.assigned-to-route.v1', at: utcAt('07:10'), revision: 1 },
    { type: 'parcel.loaded.v2', at: utcAt('07:30'), revision: 2 },
    { type: 'parcel.out-for-delivery.v1', at: utcAt('08:00'), revision: 3 },
    { type: 'parcel.delivery-attempt-failed.v1', at: utcAt('08:30'), revision: 4 },
    { type: 'parcel.out-for-delivery.v1', at: utcAt('09:00'), revision: 5 },
    { type: 'parcel.delivered.v1', at: utcAt('09:20'), revision: 6 },
    { type: 'parcel.sla-breached.v1', at: utcAt('09:20'), revision: 7 },
  ],
  registeredAt: utcAt('07:00'),
  updatedAt: utcAt('09:20'),
  revision: 7,
};

test('follows a parcel from registration to a late delivery', given(lateDelivery()).thenDocument(parcels, 'p-1', lateDeliveryView));

test('the runtime writes what the projection makes, and the query serves it', async (t) => {
  const { documents, queries } = await open(t);
  const events = lateDelivery();
  t.deepEqual(
    await applyEvents(documents, parcelStatusProjection, events),
    events.map(() => 'applied'),
  );
  t.deepEqual(await queries.byId('p-1'), lateDeliveryView);
});

test('shows each status a parcel passes through, and forgets its route once it leaves it', async (t) => {
  const p = parcelFacts('p-2');
  const steps: [ParcelEvent, Partial<ParcelStatusView>][] = [
    [p.registered('07:00'), { status: 'Registered', routeId: null, vehicleId: null }],
    [p.assigned('r-1', '07:10'), { status: 'AssignedToRoute', routeId: 'r-1', vehicleId: null }],
    [p.released('r-1', '07:15'), { status: 'Registered', routeId: null, vehicleId: null }],
    [p.assigned('r-2', '07:20'), { status: 'AssignedToRoute', routeId: 'r-2', vehicleId: null }],
    [p.loaded('r-2', 'v-2', '07:40'), { status: 'Loaded', routeId: 'r-2', vehicleId: 'v-2' }],
    [p.outForDelivery('r-2', 'v-2', 1, '08:10'), { status: 'OutForDelivery', attempts: 1 }],
    [p.failed('r-2', 'v-2', 1, '08:40', 'address-not-found'), { status: 'AttemptFailed', routeId: 'r-2', vehicleId: 'v-2' }],
    [p.returned('r-2', 'v-2', '12:00'), { status: 'ReturnedToDepot', routeId: null, vehicleId: null, attempts: 1 }],
    [p.cancelled('13:00'), { status: 'Cancelled', routeId: null, vehicleId: null, updatedAt: utcAt('13:00') }],
  ];
  const events = createTestLog().recordAll(
    parcelEvents,
    'parcel-p-2',
    steps.map(([event]) => event),
  );
  for (const [index, [, expected]] of steps.entries())
    await given(events.slice(0, index + 1)).thenDocumentLike(parcels, 'p-2', expected)(t);
  await given(events).thenDocumentLike(parcels, 'p-2', {
    lastFailure: { reason: 'address-not-found' },
    revision: steps.length - 1,
  })(t);
  await given(events).then((t, view) => t.is(view.documentOf(parcels, 'p-2')?.timeline.length, steps.length))(t);
});

const p3 = parcelFacts('p-3');
test(
  'keeps updatedAt from moving back when a fact reports an earlier time',
  given(
    createTestLog().recordAll(parcelEvents, 'parcel-p-3', [
      p3.registered('07:00'),
      p3.assigned('r-1', '07:10'),
      p3.loaded('r-1', 'v-1', '07:30'),
      p3.outForDelivery('r-1', 'v-1', 1, '09:00'),
      // Handed over at 08:55 by the driver's clock, reported after the start was recorded.
      p3.delivered('r-1', 'v-1', 1, '08:55'),
    ]),
  ).then((t, view) => {
    const parcel = view.documentOf(parcels, 'p-3');
    t.is(parcel?.updatedAt, utcAt('09:00'));
    t.is(parcel?.proofOfDelivery?.deliveredAt, utcAt('08:55'));
    t.is(parcel?.timeline.at(-1)?.at, utcAt('08:55'));
  }),
);

const registeredWithOffset = (): RecordedEvent => {
  const recorded = createTestLog().record(parcelEvents, 'parcel-p-4', parcelFacts('p-4').registered('07:00'));
  return { ...recorded, data: { ...(recorded.data as object), registeredAt: '2026-11-21T09:00:00+02:00' } };
};

test(
  'stores every instant in UTC, whatever offset the event carried',
  given([registeredWithOffset()]).thenDocumentLike(parcels, 'p-4', { registeredAt: utcAt('07:00'), updatedAt: utcAt('07:00') }),
);

test('applying the same events again changes nothing', async (t) => {
  const { documents, queries } = await open(t);
  const events = lateDelivery();
  await applyEvents(documents, parcelStatusProjection, events);
  const before = await queries.byId('p-1');
  t.deepEqual(
    await applyEvents(documents, parcelStatusProjection, events),
    events.map(() => 'duplicate'),
  );
  t.deepEqual(await applyEvents(documents, parcelStatusProjection, [events[3]!, events[1]!]), ['duplicate', 'duplicate']);
  t.deepEqual(await queries.byId('p-1'), before);
});

test('refuses an event that arrives before an earlier revision of its stream, and applies it after', async (t) => {
  const { documents, queries } = await open(t);
  const [registered, assigned, loaded] = lateDelivery() as [RecordedEvent, RecordedEvent, RecordedEvent];
  t.deepEqual(await applyEvents(documents, parcelStatusProjection, [registered, loaded]), ['applied', 'gap']);
  t.like(await queries.byId('p-1'), { status: 'Registered', revision: 0 });
  t.deepEqual(await applyEvents(documents, parcelStatusProjection, [assigned]), ['applied']);
  t.deepEqual(await applyEvents(documents, parcelStatusProjection, [loaded]), ['applied']);
  t.like(await queries.byId('p-1'), { status: 'Loaded', revision: 2, vehicleId: 'v-1' });
});

test('an event whose data does not decode is dead-lettered at once (permanent) while the rest goes through', async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const good = log.record(parcelEvents, 'parcel-p-5', parcelFacts('p-5').registered());
  const recorded = log.record(parcelEvents, 'parcel-p-6', parcelFacts('p-6').registered());
  const poison = { ...recorded, data: { ...(recorded.data as object), weightKg: -1 } };
  const settled: string[] = [];
  const delivery = (message: RecordedEvent): Delivery<RecordedEvent> => ({
    message,
    attempt: 1,
    ack: () => settled.push(`ack ${message.streamId}`),
    retry: (reason) => settled.push(`retry ${message.streamId}: ${reason}`),
    deadLetter: (reason) => settled.push(`dead-letter ${message.streamId}: ${reason}`),
  });
  await streamDeliveries({ documents, consumer: () => projectorConsumer(parcelStatusProjection), logger: silentLogger })([
    delivery(good),
    delivery(poison),
  ]);
  t.is(settled[0], 'ack parcel-p-5');
  t.regex(settled[1] ?? '', /^dead-letter parcel-p-6: cannot decode parcel\.registered\.v1 .*weightKg/);
  t.truthy(await queries.byId('p-5'));
  t.is(await queries.byId('p-6'), undefined);
});

test('a proof image uploaded after the delivery is linked from the view: the image and its thumbnail', (t) => {
  const p = parcelFacts('p-1');
  const sha256 = 'a'.repeat(64);
  const events = createTestLog().recordAll(parcelEvents, 'parcel-p-1', [
    p.registered('07:00'),
    p.assigned('r-1', '07:10'),
    p.loaded('r-1', 'v-1', '07:30'),
    p.outForDelivery('r-1', 'v-1', 1, '08:00'),
    p.delivered('r-1', 'v-1', 1, '09:00'),
    p.proofImageReceived(sha256, '09:01'),
  ]);
  givenProjection(parcelStatusProjection)(events).thenDocumentLike(parcels, 'p-1', {
    status: 'Delivered',
    proofImage: {
      contentType: 'image/png',
      sizeBytes: 2048,
      sha256,
      receivedAt: utcAt('09:01'),
      links: { image: '/v1/parcels/p-1/proof', thumbnail: '/v1/parcels/p-1/proof/thumbnail' },
    },
  })(t);
  givenProjection(parcelStatusProjection)(events.slice(0, 5)).then((t2, view) =>
    t2.false('proofImage' in (view.documentOf(parcels, 'p-1') ?? {})),
  )(t);
});
