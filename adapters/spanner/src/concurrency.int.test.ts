// Several clients on one database, as the command API's instances are in production: each has its own
// Spanner client (and, on the emulator, its own queue of read-write transactions), so their transactions
// really meet in Spanner, conflict, abort and are retried.
import type { EventStore, RecordedEvent } from '@meridian/kernel';
import { environmentFor, newEvent, readWholeLog } from '@meridian/kernel/testing';
import test from 'ava';
import { createSpannerEventStore } from './event-store.ts';
import { dropDatabase, freshDatabase } from './testing.ts';

const emulatorHost = environmentFor(test, 'Spanner concurrency (Spanner emulator)', 'SPANNER_EMULATOR_HOST', { requiredUnderCi: true });

/** `clients` stores on one fresh database; all closed, and the database dropped, after `run`. */
const withClients = async (emulator: string, clients: number, run: (stores: readonly EventStore[]) => Promise<void>) => {
  const location = await freshDatabase(emulator);
  const stores = Array.from({ length: clients }, () => createSpannerEventStore({ ...location, pollIntervalMs: 20 }));
  try {
    await run(stores);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await dropDatabase(location);
  }
};

if (emulatorHost !== undefined) {
  test('concurrent appends to one hot stream from several clients: revisions gapless, no acknowledged append lost', async (t) => {
    t.timeout(240_000);
    await withClients(emulatorHost, 3, async (stores) => {
      const streamId = 'vehicle-hot';
      await stores[0]!.append({ streamId, events: [newEvent()], expectedRevision: 'no_stream' });
      const acknowledged: string[] = [];
      let refused = 0;
      // Two writers per client, each appending 4 events with optimistic retries on the revision it read.
      await Promise.all(
        stores.flatMap((store, client) =>
          [0, 1].map(async (writer) => {
            for (let i = 0; i < 4; i++) {
              const event = newEvent('test.happened.v1', { client, writer, i });
              for (;;) {
                const current = await store.readStream(streamId);
                const result = await store.append({
                  streamId,
                  events: [event],
                  expectedRevision: current[current.length - 1]!.streamRevision,
                });
                if (result.outcome === 'appended') {
                  acknowledged.push(event.eventId);
                  break;
                }
                refused++;
              }
            }
          }),
        ),
      );
      const stored = await stores[1]!.readStream(streamId);
      t.deepEqual(
        stored.map((e) => e.streamRevision),
        Array.from({ length: 25 }, (_, i) => i),
        'revisions 0..24, no gap, no repeat',
      );
      t.is(new Set(stored.map((e) => e.eventId)).size, 25, 'no event stored twice');
      t.true(
        acknowledged.every((id) => stored.some((e) => e.eventId === id)),
        'every acknowledged append is stored',
      );
      t.log(`${refused} appends refused on a stale revision and retried`);
      const positions = stored.map((e) => e.globalPosition);
      t.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
        "the stream's order is the log's order",
      );
    });
  });

  test('catch-up under concurrent writers from several clients misses nothing, repeats nothing, keeps each stream in order', async (t) => {
    t.timeout(240_000);
    await withClients(emulatorHost, 3, async ([reader, ...writers]) => {
      const controller = new AbortController();
      const seen: RecordedEvent[] = [];
      const expected = writers.length * 3 * 15;
      // The reader starts before the writers, from the start of the log, and follows them live.
      const following = (async () => {
        for await (const batch of reader!.subscribe({ after: 0, batchSize: 40, signal: controller.signal })) {
          seen.push(...batch.events);
          if (seen.length >= expected) break;
        }
      })();
      await Promise.all(
        writers.flatMap((store, client) =>
          [0, 1, 2].map(async (stream) => {
            const streamId = `parcel-${client}-${stream}`;
            for (let revision = 0; revision < 15; revision++)
              await store.append({
                streamId,
                events: [newEvent('test.happened.v1', { revision })],
                expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
              });
          }),
        ),
      );
      try {
        await Promise.race([
          following,
          new Promise((_, reject) => setTimeout(() => reject(new Error(`the subscription saw ${seen.length}/${expected}`)), 60_000)),
        ]);
      } finally {
        controller.abort();
      }
      const log = await readWholeLog(reader!);
      t.is(log.length, expected);
      t.deepEqual(
        seen.map((e) => e.eventId),
        log.map((e) => e.eventId),
        'the live subscription saw exactly the log, in log order',
      );
      for (let i = 1; i < seen.length; i++) t.true(seen[i]!.globalPosition > seen[i - 1]!.globalPosition);
      for (const streamId of new Set(seen.map((e) => e.streamId)))
        t.deepEqual(
          seen.filter((e) => e.streamId === streamId).map((e) => e.streamRevision),
          Array.from({ length: 15 }, (_, i) => i),
        );
    });
  });
}
