import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, streamingPageCacheKb } from './database.ts';

const cacheSizeOf = (pageCacheKb?: number) => {
  const db = openDatabase({
    path: join(mkdtempSync(join(tmpdir(), 'meridian-db-')), 'x.db'),
    ...(pageCacheKb !== undefined && { pageCacheKb }),
  });
  try {
    return (db.prepare('PRAGMA cache_size').get() as { cache_size: number }).cache_size;
  } finally {
    db.close();
  }
};

test('a connection has a 32 MiB page cache, or the size it is given in KiB (negative: KiB to SQLite)', (t) => {
  t.is(cacheSizeOf(), -32_768);
  t.is(cacheSizeOf(streamingPageCacheKb), -streamingPageCacheKb);
  t.true(streamingPageCacheKb < 32_768);
});
