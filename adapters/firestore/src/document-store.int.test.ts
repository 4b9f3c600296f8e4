// The Firestore document store against the emulator: the kernel's contract, then what is particular to
// Firestore (JSON it does not store as is, cursors over ties, its limits, watching one document).
import { Firestore } from '@google-cloud/firestore';
import { documentKey, type Document, type DocumentChange, type DocumentStore } from '@meridian/kernel';
import { documentStoreContract, environmentFor, isProbe, untilWatching } from '@meridian/kernel/testing';
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { createFirestoreDocumentStore } from './document-store.ts';

/** This file's own project on the shared emulator, so no other test file sees its documents. */
const projectId = 'meridian-firestore-contract';

const host = environmentFor(test, 'Firestore document store contract', 'FIRESTORE_EMULATOR_HOST', { requiredUnderCi: true });

const freshCollection = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const eventually = async (check: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
};

/** One client per store, terminated by its close. */
const open = async (): Promise<DocumentStore> => createFirestoreDocumentStore({ projectId });

const withStore = (run: (t: ExecutionContext, store: DocumentStore) => Promise<void>) => async (t: ExecutionContext) => {
  const store = await open();
  try {
    await run(t, store);
  } finally {
    await store.close();
  }
};

const put = (store: DocumentStore, collection: string, documents: readonly { id: string; document: Document | undefined }[]) =>
  store.transact([], () => ({ writes: documents.map((d) => ({ collection, ...d })), result: undefined }));

if (host !== undefined) {
  documentStoreContract(test, { name: 'Firestore', open });

  test(
    'Firestore document store: JSON that Firestore does not hold as is reads back exactly',
    withStore(async (t, store) => {
      const collection = freshCollection('json');
      const document = {
        line: [
          [4.35, 50.85],
          [4.36, [50.86, []]],
        ],
        empty: { list: [], map: {} },
        nulls: [null, { none: null }],
        'dotted.name': 'kept as one field',
        numbers: [0, -1, 2 ** 53 + 2, 1.5, 1e-7],
        text: 'Zoë 🚚',
      };
      await put(store, collection, [{ id: 'a', document }]);
      t.deepEqual(await store.get(collection, 'a'), document);
      const seen = await store.transact([{ collection, id: 'a' }], (current) => ({
        writes: [],
        result: current.get(documentKey({ collection, id: 'a' })),
      }));
      t.deepEqual(seen, document, 'compute sees the same JSON');
      t.deepEqual((await store.query(collection, { limit: 1 })).documents, [{ id: 'a', document }]);
    }),
  );

  test(
    'Firestore document store: undefined fields never reach Firestore',
    withStore(async (t, store) => {
      const collection = freshCollection('undefined');
      await put(store, collection, [{ id: 'a', document: { kept: 1, gone: undefined, list: [undefined], nested: { gone: undefined } } }]);
      t.deepEqual(await store.get(collection, 'a'), { kept: 1, list: [null], nested: {} });
    }),
  );

  test(
    'Firestore document store: descending pages over tied values keep id order and lose nothing',
    withStore(async (t, store) => {
      const collection = freshCollection('ties');
      const documents = Array.from({ length: 11 }, (_, i) => ({
        id: `d${String(i).padStart(2, '0')}`,
        document: { rank: i % 3, zone: i % 2 === 0 ? 'north' : 'south' },
      }));
      await put(store, collection, documents);
      const pages = async (query: { where?: { field: string; op: '=='; value: string }[] }) => {
        const ids: string[][] = [];
        let after: string | undefined;
        do {
          const page = await store.query(collection, {
            ...query,
            orderBy: { field: 'rank', direction: 'desc' },
            limit: 2,
            ...(after && { after }),
          });
          ids.push(page.documents.map((d) => d.id));
          after = page.next;
        } while (after !== undefined);
        return ids;
      };
      const expected = (zone?: string) =>
        documents
          .filter((d) => zone === undefined || d.document.zone === zone)
          .sort((a, b) => b.document.rank - a.document.rank || b.id.localeCompare(a.id))
          .map((d) => d.id);
      const all = await pages({});
      t.deepEqual(all.flat(), expected());
      t.is(all.length, 6, 'eleven documents in pages of two, the last one without a next cursor');
      t.deepEqual((await pages({ where: [{ field: 'zone', op: '==', value: 'north' }] })).flat(), expected('north'));
    }),
  );

  test(
    'Firestore document store: a page that ends exactly at the last document has no next cursor',
    withStore(async (t, store) => {
      const collection = freshCollection('exact');
      await put(store, collection, [
        { id: 'a', document: { n: 1 } },
        { id: 'b', document: { n: 2 } },
      ]);
      const first = await store.query(collection, { limit: 1 });
      t.deepEqual(
        first.documents.map((d) => d.id),
        ['a'],
      );
      t.truthy(first.next);
      const second = await store.query(collection, { limit: 1, after: first.next! });
      t.deepEqual(
        second.documents.map((d) => d.id),
        ['b'],
      );
      t.is(second.next, undefined);
    }),
  );

  test(
    'Firestore document store: "in" over no values matches nothing, and filters on null match null',
    withStore(async (t, store) => {
      const collection = freshCollection('filters');
      await put(store, collection, [
        { id: 'a', document: { driver: null } },
        { id: 'b', document: { driver: 'd1' } },
      ]);
      t.deepEqual((await store.query(collection, { where: [{ field: 'driver', op: 'in', value: [] }], limit: 10 })).documents, []);
      t.deepEqual(
        (await store.query(collection, { where: [{ field: 'driver', op: '==', value: null }], limit: 10 })).documents.map((d) => d.id),
        ['a'],
      );
      t.deepEqual(
        (await store.query(collection, { where: [{ field: 'driver', op: 'in', value: ['d1', 'd2'] }], limit: 10 })).documents.map(
          (d) => d.id,
        ),
        ['b'],
      );
    }),
  );

  test(
    'Firestore document store: a document watcher hears its creation, updates and deletion, not its state when attached',
    withStore(async (t, store) => {
      const collection = freshCollection('watched');
      await put(store, collection, [{ id: 'v', document: { v: 0 } }]);
      const changes: DocumentChange[] = [];
      const stop = store.watch(collection, (change) => changes.push(change), { id: 'v' });
      // The listen takes a round trip to start (seconds on a busy emulator): wait until it hears a probe.
      t.true(
        await untilWatching({ store, collection, id: 'v', document: { v: 0 }, listening: () => changes.some(isProbe) }),
        'the watcher is listening',
      );
      await put(store, collection, [
        { id: 'v', document: { v: 1, line: [[1, 2]] } },
        { id: 'other', document: { v: 9 } },
      ]);
      await put(store, collection, [{ id: 'v', document: undefined }]);
      const tested = () => changes.filter((change) => !isProbe(change));
      t.true(await eventually(() => tested().length >= 2));
      t.deepEqual(
        tested(),
        [
          { collection, id: 'v', document: { v: 1, line: [[1, 2]] } },
          { collection, id: 'v', document: undefined },
        ],
        'the update and the deletion, and not the state at attach time ({ v: 0 })',
      );
      stop();
    }),
  );

  test(
    'Firestore document store: a listener that throws does not end the watch',
    withStore(async (t, store) => {
      const collection = freshCollection('throwing');
      const heard: DocumentChange[] = [];
      store.watch(collection, (change) => {
        heard.push(change);
        throw new Error('listener failed');
      });
      t.true(await untilWatching({ store, collection, id: 'probe', listening: () => heard.some(isProbe) }), 'the watcher is listening');
      await put(store, collection, [{ id: 'a', document: { v: 1 } }]);
      await put(store, collection, [{ id: 'b', document: { v: 1 } }]);
      t.true(await eventually(() => heard.some((change) => change.id === 'b')), 'heard after its listener threw');
      t.true(heard.some((change) => change.id === 'a'));
    }),
  );

  test(
    'Firestore document store: repeated keys are read once and the last write of a document wins',
    withStore(async (t, store) => {
      const collection = freshCollection('repeats');
      await put(store, collection, [{ id: 'a', document: { v: 1 } }]);
      const key = { collection, id: 'a' };
      const size = await store.transact([key, key], (current) => ({
        writes: [
          { ...key, document: { v: 2 } },
          { ...key, document: undefined },
          { ...key, document: { v: 3 } },
        ],
        result: current.size,
      }));
      t.is(size, 1);
      t.deepEqual(await store.get(collection, 'a'), { v: 3 });
    }),
  );

  test(
    'Firestore document store: more writes than Firestore commits fail before anything is written',
    withStore(async (t, store) => {
      const collection = freshCollection('limit');
      const writes = Array.from({ length: 501 }, (_, i) => ({ collection, id: `d${i}`, document: { i } }));
      await t.throwsAsync(
        store.transact([], () => ({ writes, result: undefined })),
        { message: /at most 500 writes/ },
      );
      t.deepEqual((await store.query(collection, { limit: 1 })).documents, []);
    }),
  );

  test(
    'Firestore document store: an id with a slash is refused rather than written into a subcollection',
    withStore(async (t, store) => {
      const collection = freshCollection('ids');
      await t.throwsAsync(store.get(collection, 'a/b/c'), { message: /invalid document id/ });
      await t.throwsAsync(put(store, collection, [{ id: 'a/b/c', document: { v: 1 } }]), { message: /invalid document id/ });
    }),
  );

  test('Firestore document store: closing a store leaves a client it was given open', async (t) => {
    const firestore = new Firestore({ projectId });
    try {
      const collection = freshCollection('shared');
      const store = createFirestoreDocumentStore({ firestore });
      await put(store, collection, [{ id: 'a', document: { v: 1 } }]);
      await store.close();
      await t.throwsAsync(store.get(collection, 'a'), { message: /closed/ });
      t.deepEqual((await firestore.collection(collection).doc('a').get()).data(), { v: 1 });
    } finally {
      await firestore.terminate();
    }
  });
}
