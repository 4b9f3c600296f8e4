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
