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
