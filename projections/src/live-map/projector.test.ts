// The live-map projector above the ports (the kernel's in-memory document store and test queue): throttled
// writes that end on the latest ping, older pings that never win, acks only behind a committed covering
// write, bounded transactions.
import { isoDateTime, maxWritesPerTransaction, typedCollection, type DocumentStore } from '@meridian/kernel';
import test from 'ava';
import { createTestQueue, type TestQueue } from '@meridian/kernel/testing';
import type { TelemetryPing } from '@meridian/vehicle';
import { liveMapPositions, positionDocument } from './document.ts';
import { liveMapQueries } from './queries.ts';
import { documentStore, eventually, ping, recordingStore, sleep, spyOnAcks, startLiveMap, type RecordingStore } from './test-fixtures.ts';

type Rig = { readonly queue: TestQueue<TelemetryPing>; readonly documents: DocumentStore; readonly recording: RecordingStore };

const rig = (): Rig => {
  const documents = documentStore();
  return { queue: createTestQueue<TelemetryPing>({ retryDelayMs: 5 }), documents, recording: recordingStore(documents) };
};

const writesOf = (recording: RecordingStore, vehicleId: string) =>
  recording.written.filter((w) => w.id === vehicleId).map((w) => w.document);

const stored = async (documents: DocumentStore, vehicleId: string) => liveMapQueries(documents).byId(vehicleId);

const drained = (queue: TestQueue<TelemetryPing>) => eventually(() => queue.size() === 0, 'every ping acked');

test('a burst of pings for one vehicle within one interval is written twice at most, and ends on the latest', async (t) => {
  const { queue, documents, recording } = rig();
  const intervalMs = 300;
  const liveMap = startLiveMap({ subscription: queue.subscription, documents: recording.store, intervalMs });
  try {
    await queue.publisher.publish([ping('v-1', 0)]);
    await eventually(() => writesOf(recording, 'v-1').length === 1, 'the leading write');
    // 50 newer pings, in batches and out of order, all within the interval that the first write opened.
    const seconds = Array.from({ length: 50 }, (_, i) => 1 + ((i * 7) % 50));
    for (let i = 0; i < seconds.length; i += 10)
      await queue.publisher.publish(seconds.slice(i, i + 10).map((s) => ping('v-1', s, { lat: s / 10 })));
    await drained(queue);
    const writes = writesOf(recording, 'v-1');
    t.true(writes.length <= 2, `${writes.length} writes`);
    t.like(await stored(documents, 'v-1'), { lat: 5, recordedAt: ping('v-1', 50).recordedAt });
    const [first, last] = writes.map((w) => Date.parse(String(w['updatedAt'])));
    t.true(last === undefined || first === undefined || last - first >= intervalMs, 'the trailing write waits for the interval');
  } finally {
    await liveMap.stop();
    await documents.close();
  }
});

test('over a longer stream of pings, writes of one vehicle are never closer than the interval', async (t) => {
  const { queue, documents, recording } = rig();
  const intervalMs = 120;
  const liveMap = startLiveMap({ subscription: queue.subscription, documents: recording.store, intervalMs });
  try {
    for (let second = 0; second < 40; second++) {
      await queue.publisher.publish([ping('v-1', second), ping('v-2', second)]);
      await sleep(10);
    }
    await drained(queue);
    for (const vehicleId of ['v-1', 'v-2']) {
      const times = writesOf(recording, vehicleId).map((w) => Date.parse(String(w['updatedAt'])));
      t.true(times.length < 40, `${vehicleId}: ${times.length} writes for 40 pings`);
      times
        .slice(1)
        .forEach((time, index) => t.true(time - times[index]! >= intervalMs, `${vehicleId}: writes ${time - times[index]!} ms apart`));
      t.is((await stored(documents, vehicleId))?.recordedAt, ping(vehicleId, 39).recordedAt);
    }
  } finally {
    await liveMap.stop();
    await documents.close();
  }
});

test('an older ping never overwrites a newer one: in one burst, after a write, or after a restart', async (t) => {
  const { queue, documents, recording } = rig();
  const liveMap = startLiveMap({ subscription: queue.subscription, documents: recording.store, intervalMs: 50 });
  try {
    await queue.publisher.publish([ping('v-1', 30, { lat: 30 }), ping('v-1', 10, { lat: 10 }), ping('v-1', 20, { lat: 20 })]);
    await drained(queue);
    t.like(await stored(documents, 'v-1'), { lat: 30 });
    const writes = recording.written.length;
    await queue.publisher.publish([ping('v-1', 5, { lat: 5 }), ping('v-1', 30, { lat: 31 })]);
    await drained(queue);
    t.is(recording.written.length, writes, 'older and same-time pings are acked without a write');
    t.like(await stored(documents, 'v-1'), { lat: 30 });
  } finally {
    await liveMap.stop();
  }
  // A new projector knows nothing in memory: the write itself refuses to go back in time.
  const restarted = startLiveMap({ subscription: queue.subscription, documents: recording.store, intervalMs: 50 });
  try {
    await queue.publisher.publish([ping('v-1', 1, { lat: 1 })]);
    await drained(queue);
    t.like(await stored(documents, 'v-1'), { lat: 30 });
  } finally {
    await restarted.stop();
    await documents.close();
  }
});

test('a ping is acked once superseded: by a committed position, or by a newer ping of its vehicle still held', async (t) => {
  const { queue, documents, recording } = rig();
  const committed = new Map<string, number>();
  documents.watch(liveMapPositions.name, (change) => committed.set(change.id, Date.parse(String(change.document?.['recordedAt']))));
  const acked: TelemetryPing[] = [];
  const subscription = spyOnAcks(queue.subscription, (acking) => acked.push(acking));
  let release = () => {};
  recording.gate = new Promise<void>((resolve) => (release = resolve));
  const liveMap = startLiveMap({ subscription, documents: recording.store, intervalMs: 100 });
  try {
    await queue.publisher.publish([ping('v-1', 1), ping('v-2', 1)]);
    await eventually(() => recording.entered === 1, 'the write to start');
    await queue.publisher.publish([ping('v-1', 0), ping('v-1', 2)]);
    await sleep(30);
    // v-1@0 is older than v-1@1, whose write is in flight and unacked: it can never matter again.
    t.deepEqual(acked, [ping('v-1', 0)], 'while the write is held, only the superseded ping is acked');
    t.false(committed.has('v-1'));
    release();
    recording.gate = undefined;
    await drained(queue);
    t.is(acked.length, 4);
    t.is(committed.get('v-1'), Date.parse(ping('v-1', 2).recordedAt), 'the newest ping was written before it was acked');
    t.is((await stored(documents, 'v-1'))?.recordedAt, ping('v-1', 2).recordedAt);
  } finally {
    release();
    await liveMap.stop();
    await documents.close();
  }
});

test('a vehicle pinging faster than the interval holds one ping unacked, not one per ping', async (t) => {
  const { queue, documents, recording } = rig();
  const liveMap = startLiveMap({ subscription: queue.subscription, documents: recording.store, intervalMs: 500 });
  try {
    for (let second = 0; second < 50; second++) await queue.publisher.publish([ping('v-1', second)]);
    await eventually(() => queue.size() <= 2, 'superseded pings to be acked');
    t.true(queue.size() <= 2, `held ${queue.size()}`);
    await drained(queue);
    t.is((await stored(documents, 'v-1'))?.recordedAt, ping('v-1', 49).recordedAt);
  } finally {
    await liveMap.stop();
    await documents.close();
  }
});

test('a failed write acks nothing; its pings come back and are written later', async (t) => {
  const { queue, documents, recording } = rig();
  recording.failures = 1;
  const liveMap = startLiveMap({ subscription: queue.subscription, documents: recording.store, intervalMs: 30 });
  try {
    await queue.publisher.publish([ping('v-1', 1)]);
    await eventually(() => recording.failures === 0, 'the failed write');
    t.is(queue.size(), 1, 'not acked');
    await drained(queue);
    t.is((await stored(documents, 'v-1'))?.recordedAt, ping('v-1', 1).recordedAt);
  } finally {
    await liveMap.stop();
    await documents.close();
  }
});

test(`many vehicles are written together in transactions of at most ${maxWritesPerTransaction} writes`, async (t) => {
  const { queue, documents, recording } = rig();
  const liveMap = startLiveMap({ subscription: queue.subscription, documents: recording.store, intervalMs: 1000 });
  try {
    await queue.publisher.publish(Array.from({ length: 1000 }, (_, i) => ping(`v-${String(i).padStart(4, '0')}`, 1)));
    await drained(queue);
    t.is(recording.written.length, 1000);
    t.true(
      recording.transactions.every((writes) => writes <= maxWritesPerTransaction),
      JSON.stringify(recording.transactions),
    );
    t.true(recording.transactions.length <= 5, `${recording.transactions.length} transactions: leading writes due together share them`);
  } finally {
    await liveMap.stop();
    await documents.close();
  }
});

test('stopping writes what is pending, so the map ends on the latest ping and nothing is left unacked', async (t) => {
  const { queue, documents, recording } = rig();
  const liveMap = startLiveMap({ subscription: queue.subscription, documents: recording.store, intervalMs: 60_000 });
  try {
    await queue.publisher.publish([ping('v-1', 1)]);
    await eventually(() => recording.written.length === 1, 'the leading write');
    await queue.publisher.publish([ping('v-1', 3, { lat: 3 }), ping('v-1', 2, { lat: 2 })]);
    await sleep(20);
    t.is(recording.written.length, 1, 'the trailing write waits for the interval');
  } finally {
    await liveMap.stop();
  }
  t.is(recording.written.length, 2);
  t.like(await stored(documents, 'v-1'), { lat: 3 });
  t.is(queue.size(), 0);
  await documents.close();
});

test('the live map lists vehicles in vehicleId order, page by page', async (t) => {
  const documents = documentStore();
  try {
    const ids = ['v-3', 'v-1', 'v-5', 'v-2', 'v-4'];
    const updatedAt = isoDateTime(new Date('2026-11-21T09:00:01Z'));
    await typedCollection(documents, liveMapPositions).put(ids.map((id) => ({ id, document: positionDocument(ping(id, 1), updatedAt) })));
    const map = liveMapQueries(documents);
    const first = await map.list({ limit: 2 });
    t.deepEqual(
      first.vehicles.map((v) => v.vehicleId),
      ['v-1', 'v-2'],
    );
    const second = await map.list({ limit: 2, ...(first.next !== undefined && { after: first.next }) });
    t.deepEqual(
      second.vehicles.map((v) => v.vehicleId),
      ['v-3', 'v-4'],
    );
    const third = await map.list({ limit: 2, ...(second.next !== undefined && { after: second.next }) });
    t.deepEqual(
      third.vehicles.map((v) => v.vehicleId),
      ['v-5'],
    );
    t.is(third.next, undefined);
    t.like(await map.byId('v-4'), { vehicleId: 'v-4', speed: 32.5, heading: 90, updatedAt });
    t.is(await map.byId('v-9'), undefined);
  } finally {
    await documents.close();
  }
});
