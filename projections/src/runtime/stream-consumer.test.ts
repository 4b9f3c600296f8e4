// The consumer runtime's gap rule with a bus that may hand a later event first (Pub/Sub): the later event
// is held, unsettled, until the earlier one is applied, then applied and acked, spending no attempt; held
// too long, it is retried.
import { silentLogger, transient, type Delivery, type RecordedEvent } from '@meridian/kernel';
import { createInMemoryDocumentStore } from '@meridian/kernel/testing';
import { parcelEvents } from '@meridian/parcel';
import test from 'ava';
import { parcelStatusProjection } from '../parcel-status/projection.ts';
import { createTestLog } from '../testing/event-log.ts';
import { parcelFacts } from '../testing/fixtures.ts';
import { physicalCollection } from './projection.ts';
import { prepareProjection, projectorConsumer } from './projector.ts';
import { streamDeliveries, type StreamConsumer } from './stream-consumer.ts';

const deliveryOf = (message: RecordedEvent, settled: string[]): Delivery<RecordedEvent> => ({
  message,
  attempt: 1,
  ack: () => settled.push(`ack ${message.streamRevision}`),
  retry: (reason) => settled.push(`retry ${message.streamRevision}: ${reason}`),
  deadLetter: (reason) => settled.push(`dead ${message.streamRevision}: ${reason}`),
});

const world = async (holdGapsMs: number) => {
  const documents = createInMemoryDocumentStore();
  await prepareProjection(documents, parcelStatusProjection);
  const handle = streamDeliveries({
    documents,
    consumer: () => projectorConsumer(parcelStatusProjection),
    logger: silentLogger,
    holdGapsMs,
  });
  const facts = parcelFacts('p-1');
  const [registered, assigned, released] = createTestLog().recordAll(parcelEvents, 'parcel-p-1', [
    facts.registered(),
    facts.assigned('r-1', '08:00'),
    facts.released('r-1', '08:05'),
  ]);
  return { documents, handle, registered: registered!, assigned: assigned!, released: released! };
};

const eventually = async (check: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
};

test('a later event held while the earlier one is missing is applied and acked once it comes, in order', async (t) => {
  const { documents, handle, registered, assigned, released } = await world(60_000);
  const settled: string[] = [];
  await handle([deliveryOf(registered, settled)]);
  await handle([deliveryOf(released, settled)]);
  t.deepEqual(settled, ['ack 0'], 'revision 2 came before 1: held, neither acked nor retried');
  await handle([deliveryOf(assigned, settled)]);
  t.deepEqual(settled, ['ack 0', 'ack 1', 'ack 2']);
  t.like(await documents.get(physicalCollection('parcels', parcelStatusProjection.version), 'p-1'), { status: 'Registered', revision: 2 });
});

test('a held event whose predecessor does not come within the hold is retried', async (t) => {
  const { handle, registered, released } = await world(50);
  const settled: string[] = [];
  await handle([deliveryOf(registered, settled)]);
  await handle([deliveryOf(released, settled)]);
  await eventually(() => settled.length === 2);
  t.is(settled.length, 2);
  t.regex(settled[1] ?? '', /^retry 2: an earlier revision of parcel-p-1 did not come within 50 ms/);
});

test('without holding (the log), a gap is retried at once', async (t) => {
  const { handle, registered, released } = await world(0);
  const settled: string[] = [];
  await handle([deliveryOf(registered, settled), deliveryOf(released, settled)]);
  t.is(settled[0], 'ack 0');
  t.regex(settled[1] ?? '', /^retry 2: an earlier revision/);
});

test('a consumer starting at the first event it sees never takes a later event for its start when the earlier one failed in the same batch', async (t) => {
  const { registered, assigned } = await world(0);
  const documents = createInMemoryDocumentStore();
  const sent: number[] = [];
  let failing = true;
  // An effect reactor's shape: its effect fails (transiently) for revision 0 while `failing`.
  const reactor: StreamConsumer<RecordedEvent> = {
    name: 'notifier',
    checkpoints: { collection: 'notifier-streams', start: 'first-seen' },
    prepare: (events) => events,
    effectsTogether: true,
    effect: async (events) => {
      for (const event of events) {
        if (failing && event.streamRevision === 0) throw transient('the gateway is down');
        sent.push(event.streamRevision);
      }
    },
    keysOf: () => [],
    writesOf: () => [],
  };
  const handle = streamDeliveries({ documents, consumer: () => reactor, logger: silentLogger });
  const settled: string[] = [];
  await handle([deliveryOf(registered, settled), deliveryOf(assigned, settled)]);
  t.deepEqual(sent, [], 'revision 1 is not sent before revision 0');
  t.is(settled.length, 2);
  t.regex(settled[0] ?? '', /^retry 0: .*the gateway is down/);
  t.regex(settled[1] ?? '', /^retry 1: an earlier event of parcel-p-1 in this batch failed/);
  failing = false;
  settled.length = 0;
  await handle([deliveryOf(registered, settled), deliveryOf(assigned, settled)]);
  t.deepEqual(sent, [0, 1], 'both sent, in order, once the gateway is back');
  t.deepEqual(settled, ['ack 0', 'ack 1']);
});
