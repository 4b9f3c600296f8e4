// Anchoring the log's head in the archive: a real embedded store and a DuckDB archive in memory.
import { createDuckDbArchive } from '@meridian/duckdb';
import { silentLogger } from '@meridian/kernel';
import { newEvent } from '@meridian/kernel/testing';
import { createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { anchorHead, runAnchoring } from '@meridian/projections';

const world = async () => {
  const store = createSqliteEventStore({ path: ':memory:' });
  const archive = await createDuckDbArchive({ path: ':memory:' });
  const append = (streamId: string, expectedRevision: 'no_stream' | number) =>
    store.append({ streamId, events: [newEvent('parcel.thing.v1', {})], expectedRevision });
  return { store, archive, append, close: async () => (await archive.close(), await store.close()) };
};

test('the head is anchored when it moved, with its position and global hash; an empty log has none', async (t) => {
  const { store, archive, append, close } = await world();
  try {
    const deps = { store, archive, logger: silentLogger, now: () => new Date('2026-11-21T08:00:00Z') };
    t.is(await anchorHead(deps), undefined, 'nothing to anchor yet');
    await append('parcel-a', 'no_stream');
    await append('parcel-b', 'no_stream');
    const head = await store.chainHead!();
    t.deepEqual(await anchorHead(deps), { position: 2, hash: head!.hash, recordedAt: '2026-11-21T08:00:00.000Z' });
    t.is(await anchorHead(deps, 2), undefined, 'the head has not moved since');
    t.deepEqual(await archive.anchors({ limit: 10 }), [{ position: 2, hash: head!.hash, recordedAt: '2026-11-21T08:00:00.000Z' }]);
  } finally {
    await close();
  }
});

test('running, it anchors at start and once more when stopped', async (t) => {
  const { store, archive, append, close } = await world();
  try {
    await append('parcel-a', 'no_stream');
    const controller = new AbortController();
    const running = runAnchoring({ store, archive, logger: silentLogger, signal: controller.signal, intervalMs: 3_600_000 });
    while ((await archive.anchors({ limit: 10 })).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await append('parcel-a', 0);
    controller.abort();
    await running;
    t.deepEqual(
      (await archive.anchors({ limit: 10 })).map((a) => a.position),
      [1, 2],
    );
  } finally {
    await close();
  }
});
