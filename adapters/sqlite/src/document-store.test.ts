import { documentStoreContract } from '@meridian/kernel/testing';
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteDocumentStore } from './document-store.ts';

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
