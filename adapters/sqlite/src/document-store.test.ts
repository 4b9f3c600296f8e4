import { documentStoreContract } from '@meridian/kernel/testing';
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteDocumentStore } from './document-store.ts';
import { refuseDocumentWrites } from './testing.ts';

const directory = mkdtempSync(join(tmpdir(), 'meridian-sqlite-docs-'));
let files = 0;

documentStoreContract(test, {
  name: 'SQLite',
  open: async () => createSqliteDocumentStore({ path: join(directory, `docs-${files++}.db`) }),
});

test('a transaction that fails in a collection not written before leaves the collection usable', async (t) => {
  const store = createSqliteDocumentStore({ path: join(directory, `docs-${files++}.db`) });
  t.teardown(() => store.close());
  const failing = store.transact([{ collection: 'fresh', id: 'a' }], () => {
    throw new Error('the projection failed');
  });
  await t.throwsAsync(failing, { message: 'the projection failed' });
  await store.transact([{ collection: 'fresh', id: 'a' }], () => ({
    writes: [{ collection: 'fresh', id: 'a', document: { n: 1 } }],
    result: undefined,
  }));
  t.deepEqual(await store.get('fresh', 'a'), { n: 1 });
});

test("an outage for one document (refuseDocumentWrites) refuses that document's writes in every version of its collection with the reason, from another connection, until it ends", async (t) => {
  const path = join(directory, `docs-${files++}.db`);
  const store = createSqliteDocumentStore({ path });
  t.teardown(() => store.close());
  const write = (collection: string, id: string, n: number) =>
    store.transact([], () => ({ writes: [{ collection, id, document: { n } }], result: undefined }));
  await write('parcels_v1', 'other', 1);
  await write('parcels_v2', 'other', 1);
  await write('parcels_v2', 'p-1', 1);
  t.throws(() => refuseDocumentWrites({ path, collection: 'routes', id: 'r-1', reason: 'x' }), {
    message: /no table of the collection routes/,
  });
  const outage = refuseDocumentWrites({ path, collection: 'parcels', id: 'p-1', reason: 'the store refused p-1' });
  t.teardown(outage.end);
  t.deepEqual([...outage.tables].sort(), ['parcels_v1', 'parcels_v2']);
  await t.throwsAsync(write('parcels_v1', 'p-1', 2), { message: /the store refused p-1/ });
  await t.throwsAsync(write('parcels_v2', 'p-1', 2), { message: /the store refused p-1/ });
  await write('parcels_v2', 'other', 2);
  t.deepEqual(await store.get('parcels_v2', 'other'), { n: 2 });
  outage.end();
  await write('parcels_v2', 'p-1', 3);
  t.deepEqual(await store.get('parcels_v2', 'p-1'), { n: 3 });
});

test('documents past their expireAt are deleted (the embedded TTL), in every collection, and watchers hear it; the others stay', async (t) => {
  const store = createSqliteDocumentStore({ path: join(directory, `docs-${files++}.db`), deleteExpiredEveryMs: 0 });
  t.teardown(() => store.close());
  const now = new Date('2026-12-05T12:00:00Z');
  const writes = [
    { collection: 'processed_messages', id: 'old', document: { state: 'done', expireAt: '2026-12-05T11:59:59.999Z' } },
    { collection: 'processed_messages', id: 'young', document: { state: 'done', expireAt: '2026-12-05T12:00:00.001Z' } },
    { collection: 'other', id: 'old', document: { expireAt: '2026-11-01T00:00:00.000Z' } },
    { collection: 'other', id: 'forever', document: { n: 1 } },
  ];
  await store.transact([], () => ({ writes, result: undefined }));
  const heard: string[] = [];
  store.watch('processed_messages', (change) => heard.push(`${change.id}:${change.document === undefined ? 'deleted' : 'written'}`));
  t.is(await store.deleteExpired(now), 2);
  t.is(await store.get('processed_messages', 'old'), undefined);
  t.is(await store.get('other', 'old'), undefined);
  t.like(await store.get('processed_messages', 'young'), { state: 'done' });
  t.deepEqual(await store.get('other', 'forever'), { n: 1 });
  t.deepEqual(heard, ['old:deleted']);
  t.is(await store.deleteExpired(now), 0, 'nothing more to delete');
});
