// The document store contract: every adapter runs these same tests, each in a collection of its own.
import type { TestFn } from 'ava';
import { randomUUID } from 'node:crypto';
import { documentKey, type Document, type DocumentChange, type DocumentStore } from '../document-store.ts';
import { isProbe, untilWatching } from './watching.ts';

export type DocumentStoreContract = {
  readonly name: string;
  /** A store the tests may share; each test uses collections of its own. */
  readonly open: () => Promise<DocumentStore>;
};

const freshCollection = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

const eventually = async (check: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
};

export const documentStoreContract = (test: TestFn, { name, open }: DocumentStoreContract): void => {
  const title = (t: string) => `${name} document store: ${t}`;

  test(title('writes, reads back JSON exactly, and deletes'), async (t) => {
    const store = await open();
    try {
      const collection = freshCollection('docs');
      const doc: Document = { name: 'Ada', n: 1.5, tags: ['a', 'b'], nested: { ok: true, none: null, list: [{ x: 1 }] } };
      const result = await store.transact([{ collection, id: 'a' }], (current) => ({
        writes: [{ collection, id: 'a', document: doc }],
        result: current.size,
      }));
      t.is(result, 0, 'compute sees no document for a missing key');
      t.deepEqual(await store.get(collection, 'a'), doc);
      t.is(await store.get(collection, 'missing'), undefined);
      await store.transact([{ collection, id: 'a' }], (current) => {
        t.deepEqual(current.get(documentKey({ collection, id: 'a' })), doc, 'compute sees the current document');
        return { writes: [{ collection, id: 'a', document: undefined }], result: undefined };
      });
      t.is(await store.get(collection, 'a'), undefined);
    } finally {
      await store.close();
    }
  });

  test(title('a transaction is all or nothing, up to the write limit'), async (t) => {
    const store = await open();
    try {
      const collection = freshCollection('atomic');
      const writes = Array.from({ length: 450 }, (_, i) => ({ collection, id: `d${i}`, document: { i } }));
      await store.transact([], () => ({ writes, result: undefined }));
      const page = await store.query(collection, { limit: 1000 });
      t.is(page.documents.length, 450);
      await t.throwsAsync(
        store.transact([{ collection, id: 'd0' }], () => {
          throw new Error('compute failed');
        }),
        { message: 'compute failed' },
      );
      t.deepEqual(await store.get(collection, 'd0'), { i: 0 }, 'a failed transaction changes nothing');
    } finally {
      await store.close();
    }
  });

  test(title('concurrent transactions on one document do not lose updates'), async (t) => {
    const store = await open();
    try {
      const collection = freshCollection('counter');
      const key = { collection, id: 'c' };
      await Promise.all(
        Array.from({ length: 10 }, () =>
          store.transact([key], (current) => {
            const count = (current.get(documentKey(key))?.['count'] as number | undefined) ?? 0;
            return { writes: [{ ...key, document: { count: count + 1 } }], result: undefined };
          }),
        ),
      );
      t.deepEqual(await store.get(collection, 'c'), { count: 10 });
    } finally {
      await store.close();
    }
  });

  test(title('queries filter by equality and "in", order by a field, and page with cursors'), async (t) => {
    const store = await open();
    try {
      const collection = freshCollection('parcels');
      await store.ensureCollection(collection, {
        indexes: [
          ['clientId', 'status', 'updatedAt'],
          ['status', 'updatedAt'],
        ],
      });
      const docs = Array.from({ length: 25 }, (_, i) => ({
        id: `p${String(i).padStart(2, '0')}`,
        document: {
          clientId: i % 2 === 0 ? 'acme' : 'globex',
          status: i % 3 === 0 ? 'Delivered' : 'OutForDelivery',
          updatedAt: `2026-11-21T10:${String(59 - i).padStart(2, '0')}:00Z`,
        },
      }));
      await store.transact([], () => ({ writes: docs.map((d) => ({ collection, ...d })), result: undefined }));

      const acmeDelivered = await store.query(collection, {
        where: [
          { field: 'clientId', op: '==', value: 'acme' },
          { field: 'status', op: '==', value: 'Delivered' },
        ],
        limit: 50,
      });
      t.deepEqual(
        acmeDelivered.documents.map((d) => d.id).sort(),
        docs.filter((d) => d.document.clientId === 'acme' && d.document.status === 'Delivered').map((d) => d.id),
      );
      t.is(acmeDelivered.next, undefined);

      const anyOf = await store.query(collection, { where: [{ field: 'status', op: 'in', value: ['Delivered'] }], limit: 50 });
      t.is(anyOf.documents.length, docs.filter((d) => d.document.status === 'Delivered').length);

      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await store.query(collection, {
          where: [{ field: 'clientId', op: '==', value: 'acme' }],
          orderBy: { field: 'updatedAt', direction: 'desc' },
          limit: 4,
          ...(after && { after }),
        });
        t.true(page.documents.length <= 4);
        seen.push(...page.documents.map((d) => d.id));
        after = page.next;
      } while (after !== undefined);
      const expected = docs
        .filter((d) => d.document.clientId === 'acme')
        .sort((a, b) => b.document.updatedAt.localeCompare(a.document.updatedAt))
        .map((d) => d.id);
      t.deepEqual(seen, expected, 'every page in order, each document once');

      const ascending = await store.query(collection, { orderBy: { field: 'updatedAt', direction: 'asc' }, limit: 3 });
      t.deepEqual(
        ascending.documents.map((d) => d.id),
        ['p24', 'p23', 'p22'],
      );
      t.truthy(ascending.next);
    } finally {
      await store.close();
    }
  });

  test(title('watchers hear every committed change, of a collection or of one document'), async (t) => {
    const store = await open();
    try {
      const collection = freshCollection('watched');
      const all: DocumentChange[] = [];
      const one: DocumentChange[] = [];
      const stopAll = store.watch(collection, (change) => all.push(change));
      const stopOne = store.watch(collection, (change) => one.push(change), { id: 'b' });
      // Changes made while a watcher attaches are not promised: wait until both hear a probe.
      t.true(
        await untilWatching({ store, collection, id: 'b', listening: () => one.some(isProbe) && all.some(isProbe) }),
        'the watchers are listening',
      );
      await store.transact([], () => ({
        writes: [
          { collection, id: 'a', document: { v: 1 } },
          { collection, id: 'b', document: { v: 1 } },
        ],
        result: undefined,
      }));
      await store.transact([], () => ({ writes: [{ collection, id: 'b', document: { v: 2 } }], result: undefined }));
      t.true(await eventually(() => one.some((c) => c.document?.['v'] === 2)), 'the document watcher saw the last write');
      t.true(await eventually(() => all.some((c) => c.id === 'a') && all.some((c) => c.id === 'b' && c.document?.['v'] === 2)));
      t.true(one.every((c) => c.id === 'b'));
      stopAll();
      stopOne();
      const countAfterStop = all.length;
      // A watcher still listening is the yardstick: once it heard the deletion, a stopped one would have too.
      const yardstick: DocumentChange[] = [];
      const stopYardstick = store.watch(collection, (change) => yardstick.push(change));
      t.true(await untilWatching({ store, collection, id: 'probe', listening: () => yardstick.some(isProbe) }));
      await store.transact([], () => ({ writes: [{ collection, id: 'a', document: undefined }], result: undefined }));
      t.true(
        await eventually(() => yardstick.some((c) => c.id === 'a' && c.document === undefined)),
        'a watcher still listening heard the deletion',
      );
      stopYardstick();
      t.is(all.length, countAfterStop, 'an unsubscribed watcher hears nothing more');
    } finally {
      await store.close();
    }
  });

  test(title('dropping a collection removes its documents and leaves others alone'), async (t) => {
    const store = await open();
    try {
      const doomed = freshCollection('doomed');
      const kept = freshCollection('kept');
      await store.transact([], () => ({
        writes: [
          { collection: doomed, id: 'x', document: { a: 1 } },
          { collection: kept, id: 'y', document: { b: 1 } },
        ],
        result: undefined,
      }));
      await store.dropCollection(doomed);
      t.is(await store.get(doomed, 'x'), undefined);
      t.deepEqual((await store.query(doomed, { limit: 10 })).documents, []);
      t.deepEqual(await store.get(kept, 'y'), { b: 1 });
    } finally {
      await store.close();
    }
  });
};
