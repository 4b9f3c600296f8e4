import { eventStoreContract } from '@meridian/kernel/testing';
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from './event-store.ts';

const directory = mkdtempSync(join(tmpdir(), 'meridian-sqlite-events-'));
let files = 0;

eventStoreContract(test, {
  name: 'SQLite',
  open: async () => createSqliteEventStore({ path: join(directory, `events-${files++}.db`) }),
});
