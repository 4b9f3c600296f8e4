// Anchoring on the cloud wiring's event store, the Spanner emulator: the store the projector opens from the
// environment answers the sealed head of the log, the anchoring it runs beside the archiver records that
// head in the archive, and a cut tail whose seals were removed too (so that the log still verifies against
// itself) is caught against the anchor.
import { createDuckDbArchive } from '@meridian/duckdb';
import { silentLogger, type EventStore } from '@meridian/kernel';
import { environmentFor, newEvent } from '@meridian/kernel/testing';
import { runAnchoring } from '@meridian/projections';
import { openSpanner, sealOnce, verifySpannerEventLog } from '@meridian/spanner';
import { dropDatabase, freshDatabase } from '@meridian/spanner/testing';
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { chainsLog, openEventStore } from './event-store.ts';

const emulatorHost = environmentFor(test, 'anchoring the Spanner log (Spanner emulator)', 'SPANNER_EMULATOR_HOST', {
  requiredUnderCi: true,
});

const append = (store: EventStore, streamId: string, expectedRevision: 'no_stream' | number) =>
  store.append({ streamId, events: [newEvent('parcel.thing.v1', { streamId })], expectedRevision });

if (emulatorHost !== undefined)
  test('the sealed head of the Spanner log is anchored in the archive, and a cut tail with its seals removed is caught against it', async (t) => {
    const location = await freshDatabase(emulatorHost);
    const config = {
      MERIDIAN_SPANNER_DATABASE: `${location.instanceId}/${location.databaseId}`,
      GOOGLE_CLOUD_PROJECT: location.projectId,
      SPANNER_EMULATOR_HOST: emulatorHost,
      MERIDIAN_PROVISION: 'false' as const,
    };
    t.true(chainsLog(config), 'the projector opens the Spanner log to anchor it');
    const store = openEventStore(config, silentLogger);
    const client = openSpanner(location);
    const archive = await createDuckDbArchive({ path: ':memory:' });
    try {
      t.is(await store.chainHead?.(), undefined, 'nothing sealed yet: nothing to anchor');
      await append(store, 'parcel-a', 'no_stream');
      await append(store, 'parcel-b', 'no_stream');
      await sealOnce(client.database);
      await append(store, 'parcel-a', 0);
      await sealOnce(client.database);
      const head = await store.chainHead?.();
      t.like(head, { scheme: 'sha256' });
      t.regex(head?.hash ?? '', /^[0-9a-f]{64}$/);

      // What the projector runs beside the archiver: the head anchored at start, and not again unless it moves.
      const controller = new AbortController();
      const running = runAnchoring({ store, archive, logger: silentLogger, signal: controller.signal, intervalMs: 3_600_000 });
      while ((await archive.anchors({ limit: 10 })).length === 0) await sleep(20);
      controller.abort();
      await running;
      const anchors = await archive.anchors({ limit: 10 });
      t.deepEqual(
        anchors.map(({ position, hash }) => ({ position, hash })),
        [{ position: head?.position, hash: head?.hash }],
      );
      const checkpoints = anchors.map((anchor) => ({ ...anchor, source: `the archive's anchor of ${anchor.recordedAt}` }));
      t.like(await verifySpannerEventLog(location, { checkpoints }), { ok: true, events: 3, checkpoints: [{ outcome: 'matches' }] });

      // A database writer cuts the last event, mends its stream's row, and removes the seal that covered it.
      const [rows] = await client.database.run({
        sql: "SELECT stream_hash FROM events WHERE stream_id = 'parcel-a' AND revision = 0",
        json: true,
      });
      const first: unknown = rows[0];
      const tip = typeof first === 'object' && first !== null && 'stream_hash' in first ? String(first.stream_hash) : '';
      await client.database.runTransactionAsync(async (transaction) => {
        await transaction.batchUpdate([
          "DELETE FROM events WHERE stream_id = 'parcel-a' AND revision = 1",
          { sql: "UPDATE streams SET revision = 0, last_hash = @tip WHERE stream_id = 'parcel-a'", params: { tip } },
          'DELETE FROM log_seals WHERE seal = 2',
        ]);
        await transaction.commit();
      });
      t.like(await verifySpannerEventLog(location), { ok: true, events: 2, sealedEvents: 2 }, 'against itself, the cut log verifies');
      const cut = await verifySpannerEventLog(location, { checkpoints });
      t.false(cut.ok);
      t.like(cut.checkpoints[0], { outcome: 'beyond-head', position: head?.position });
    } finally {
      await archive.close();
      await store.close();
      await client.close();
      await dropDatabase(location);
    }
  });
