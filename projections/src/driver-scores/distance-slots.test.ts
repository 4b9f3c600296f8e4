// The distance slots consumer above the ports (the kernel's in-memory document store and test queue): pings
// in any order and repeated land as each slot's earliest ping; a later ping of a slot, after a restart too,
// writes nothing; an earlier one wins; a failed transaction acks nothing and its pings come back.
import { maxWritesPerTransaction, silentLogger, typedCollection, type DocumentStore } from '@meridian/kernel';
import { createTestQueue, type TestQueue } from '@meridian/kernel/testing';
import type { TelemetryPing } from '@meridian/vehicle';
import test from 'ava';
import { documentStore, eventually, ping, recordingStore, type RecordingStore } from '../live-map/test-fixtures.ts';
import { distanceSlots, mergeSlots } from './distance.ts';
import { runDistanceSlots } from './distance-slots.ts';

type Rig = { readonly queue: TestQueue<TelemetryPing>; readonly documents: DocumentStore; readonly recording: RecordingStore };

const rig = (): Rig => {
  const documents = documentStore();
  return { queue: createTestQueue<TelemetryPing>({ retryDelayMs: 5 }), documents, recording: recordingStore(documents) };
};

const start = (store: DocumentStore, queue: TestQueue<TelemetryPing>) => {
  const controller = new AbortController();
  const done = runDistanceSlots({ subscription: queue.subscription, documents: store, logger: silentLogger, signal: controller.signal });
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
};

const storedSlots = async (documents: DocumentStore) => {
  const page = await typedCollection(documents, distanceSlots).query({ limit: 10_000 });
  return new Map(page.documents.map(({ id, document }) => [id, document]));
};

const drained = (queue: TestQueue<TelemetryPing>) => eventually(() => queue.size() === 0, 'every ping acked');

test("pings reordered and repeated, in several batches, are stored as each slot's earliest ping", async (t) => {
  const { queue, documents } = rig();
  const consumer = start(documents, queue);
  try {
    // Two vans, a ping every 5 s for 3 minutes: 7 slots each (0, 30, ... 180 s).
    const pings = ['v-1', 'v-2'].flatMap((vehicleId) =>
      Array.from({ length: 37 }, (_, i) => ping(vehicleId, i * 5, { lat: 52 + i / 1000 })),
    );
    const reordered = [...pings].reverse();
    for (let i = 0; i < reordered.length; i += 9) await queue.publisher.publish(reordered.slice(i, i + 9));
    await queue.publisher.publish([...pings.slice(10, 30), ...pings.slice(0, 5)]);
    await drained(queue);
    const stored = await storedSlots(documents);
    t.is(stored.size, 14);
    t.deepEqual(stored, mergeSlots(pings));
  } finally {
    await consumer.stop();
    await documents.close();
  }
});

test('a later ping of a slot writes nothing, after a restart too; an earlier one takes the slot', async (t) => {
  const { queue, documents, recording } = rig();
  const first = start(recording.store, queue);
  try {
    await queue.publisher.publish([ping('v-1', 10, { lat: 52.1 })]);
    await drained(queue);
    await queue.publisher.publish([ping('v-1', 20, { lat: 52.2 }), ping('v-1', 10, { lat: 52.1 })]);
    await drained(queue);
    t.is(recording.written.length, 1, 'known committed: acked without a write');
  } finally {
    await first.stop();
  }
  const restarted = start(recording.store, queue);
  try {
    // A new consumer knows nothing in memory: the transaction reads the slot and keeps the earlier ping.
    await queue.publisher.publish([ping('v-1', 25, { lat: 52.25 })]);
    await drained(queue);
    t.is(recording.written.length, 1);
    await queue.publisher.publish([ping('v-1', 1, { lat: 52.01 })]);
    await drained(queue);
    t.is(recording.written.length, 2);
    t.like([...(await storedSlots(documents)).values()], [{ lat: 52.01, recordedAt: ping('v-1', 1).recordedAt }]);
  } finally {
    await restarted.stop();
    await documents.close();
  }
});

test('a failed transaction acks nothing: its pings come back and are written', async (t) => {
  const { queue, documents, recording } = rig();
  recording.failures = 2;
  const consumer = start(recording.store, queue);
  try {
    await queue.publisher.publish([ping('v-1', 0), ping('v-1', 40)]);
    await drained(queue);
    t.is(recording.failures, 0);
    t.is((await storedSlots(documents)).size, 2);
  } finally {
    await consumer.stop();
    await documents.close();
  }
});

test(`many slots are written in transactions of at most ${maxWritesPerTransaction} writes`, async (t) => {
  const { queue, documents, recording } = rig();
  const consumer = start(recording.store, queue);
  try {
    await queue.publisher.publish(Array.from({ length: 1000 }, (_, i) => ping(`v-${i}`, 0)));
    await drained(queue);
    t.is(recording.written.length, 1000);
    t.true(
      recording.transactions.every((writes) => writes <= maxWritesPerTransaction),
      JSON.stringify(recording.transactions),
    );
  } finally {
    await consumer.stop();
    await documents.close();
  }
});
