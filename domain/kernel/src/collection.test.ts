// Typed collections above the port (the in-memory store, which passes the adapters' contract): writes are
// the collection's type, reads decode, and a stored document that is not one is a broken store (it throws
// with its path) rather than a value read as something else.
import test from 'ava';
import * as t from 'io-ts';
import { consumerCheckpoints, documentCheckpointer, documentDeadLetters } from './checkpoints.ts';
import type { RecordedEvent } from './envelope.ts';
import { struct } from './codecs.ts';
import { collection, collectionDocuments, typedCollection } from './collection.ts';
import { createInMemoryDocumentStore } from './testing/in-memory-document-store.ts';

const Counter = struct('Counter', { count: t.number }, { note: t.string });
const counters = collection('counters', Counter, { indexes: [['count']] });

const recordedEvent = (position: number): RecordedEvent => ({
  eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  type: 'parcel.registered.v1',
  schemaVersion: 1,
  streamId: `parcel-p-${position}`,
  streamRevision: 0,
  globalPosition: position,
  recordedAt: '2026-11-21T08:00:00.000Z',
  data: { parcelId: `p-${position}` },
  metadata: { correlationId: 'c-1', causationId: 'c-1', actor: { principalId: 'dispatcher-1', role: 'dispatcher' } },
});

test('a collection carries its codec, its indexes and the JSON Schema of its documents', (t) => {
  t.is(counters.name, 'counters');
  t.deepEqual(counters.indexes, [['count']]);
  t.like(counters.schema, { type: 'object', required: ['count'] });
});

test('typed writes read back decoded, under the physical name given; undefined deletes', async (t) => {
  const store = createInMemoryDocumentStore();
  const generation = typedCollection(store, counters, 'counters_v2');
  await generation.put([
    { id: 'a', document: { count: 1 } },
    { id: 'b', document: { count: 2, note: 'two' } },
  ]);
  t.deepEqual(await generation.get('b'), { count: 2, note: 'two' });
  t.is(await typedCollection(store, counters).get('b'), undefined, 'the logical name is another collection');
  t.deepEqual((await generation.query({ orderBy: { field: 'count', direction: 'desc' }, limit: 10 })).documents, [
    { id: 'b', document: { count: 2, note: 'two' } },
    { id: 'a', document: { count: 1 } },
  ]);
  await generation.put([{ id: 'a', document: undefined }]);
  t.is(await generation.get('a'), undefined);
});

test('inside a transaction, the documents read are decoded and the writes typed', async (t) => {
  const store = createInMemoryDocumentStore();
  const documents = collectionDocuments(counters);
  await typedCollection(store, counters).put([{ id: 'a', document: { count: 1 } }]);
  const increment = () =>
    store.transact([documents.key('a')], (current) => {
      const next = { count: (documents.read(current, 'a')?.count ?? 0) + 1 };
      return { writes: [documents.write('a', next)], result: next.count };
    });
  t.is(await increment(), 2);
  t.is(await increment(), 3);
  t.deepEqual(await store.get('counters', 'a'), { count: 3 });
});

test('a stored document that is not of its collection throws with the collection, the id and the failing path', async (t) => {
  const store = createInMemoryDocumentStore();
  await store.transact([], () => ({ writes: [{ collection: 'counters', id: 'x', document: { count: 'many' } }], result: undefined }));
  const typed = typedCollection(store, counters);
  await t.throwsAsync(() => typed.get('x'), { message: /^counters\/x is not a Counter: #\/count / });
  await t.throwsAsync(() => typed.query({ limit: 10 }), { message: /counters\/x is not a Counter/ });
  await t.throwsAsync(
    () =>
      store.transact([collectionDocuments(counters).key('x')], (current) => ({
        writes: [],
        result: collectionDocuments(counters).read(current, 'x'),
      })),
    { message: /counters\/x is not a Counter/ },
  );
});

test('a watch hands over each committed change decoded, and a deletion as undefined', async (t) => {
  const store = createInMemoryDocumentStore();
  const typed = typedCollection(store, counters);
  const seen: { id: string; document: unknown }[] = [];
  const stop = typed.watch((change) => seen.push(change), { id: 'a' });
  await typed.put([
    { id: 'a', document: { count: 1 } },
    { id: 'b', document: { count: 9 } },
  ]);
  await typed.put([{ id: 'a', document: undefined }]);
  stop();
  t.deepEqual(seen, [
    { id: 'a', document: { count: 1 } },
    { id: 'a', document: undefined },
  ]);
});

test('consumer checkpoints are a typed collection: a broken one is a bug, never read as position 0', async (t) => {
  const store = createInMemoryDocumentStore();
  const checkpoints = documentCheckpointer(store, () => new Date('2026-11-21T09:00:00Z'));
  t.is(await checkpoints.load('relay'), 0, 'no checkpoint yet: from the start');
  await checkpoints.save('relay', 42);
  t.is(await checkpoints.load('relay'), 42);
  t.deepEqual(await store.get(consumerCheckpoints.name, 'relay'), { position: 42, updatedAt: '2026-11-21T09:00:00.000Z' });
  await store.transact([], () => ({
    writes: [{ collection: consumerCheckpoints.name, id: 'relay', document: { position: '42' } }],
    result: undefined,
  }));
  await t.throwsAsync(() => checkpoints.load('relay'), {
    message: /consumer-checkpoints\/relay is not a ConsumerCheckpoint: #\/position /,
  });
});

test('dead letters are a typed collection: listed by consumer in log order, removed by event id', async (t) => {
  const store = createInMemoryDocumentStore();
  const letters = documentDeadLetters(store);
  const letter = (consumer: string, position: number) => ({
    consumer,
    message: recordedEvent(position),
    reason: 'poison',
    attempts: 5,
    deadLetteredAt: '2026-11-21T09:00:00.000Z',
  });
  await letters.add([letter('relay', 7), letter('relay', 3), letter('archiver', 5)]);
  t.deepEqual(
    (await letters.list('relay')).map((l) => l.message.globalPosition),
    [3, 7],
  );
  await letters.remove('relay', [recordedEvent(3).eventId]);
  t.deepEqual(await letters.list('relay'), [letter('relay', 7)]);
});
