// The event store contract: every adapter runs these same tests. Each test opens a fresh store.
import type { TestFn } from 'ava';
import { randomUUID } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../envelope.ts';
import type { AppendResult, EventStore, ExpectedRevision, LogBatch } from '../event-store.ts';
import { newEvent, unique, type EventStoreContract } from './contract-events.ts';
import { requestRecordsContract } from './request-records-contract.ts';

const append = (store: EventStore, streamId: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision) =>
  store.append({ streamId, events, expectedRevision });

const appended = (result: AppendResult) => {
  if (result.outcome !== 'appended') throw new Error(`expected an append, got ${JSON.stringify(result)}`);
  return result;
};

/** Reads the whole log after `after` with the given filter, batch by batch. */
export const readWholeLog = async (
  store: EventStore,
  options: { after?: number; filter?: Parameters<EventStore['readAll']>[0]['filter']; batchSize?: number } = {},
) => {
  const events: RecordedEvent[] = [];
  let after = options.after ?? 0;
  for (;;) {
    const batch: LogBatch = await store.readAll({
      after,
      batchSize: options.batchSize ?? 500,
      ...(options.filter && { filter: options.filter }),
    });
    events.push(...batch.events);
    if (batch.endOfLog) return events;
    if (batch.position <= after) throw new Error('readAll made no progress');
    after = batch.position;
  }
};

export const eventStoreContract = (test: TestFn, { name, open }: EventStoreContract): void => {
  const title = (t: string) => `${name} event store: ${t}`;

  test(title('appends to a new stream and reads it back with the whole envelope'), async (t) => {
    const store = await open();
    try {
      const streamId = unique('parcel');
      const events = [newEvent('parcel.registered.v1', { id: 1, nested: { ok: true } }), newEvent('parcel.loaded.v1', { id: 2 })];
      const result = appended(await append(store, streamId, events, 'no_stream'));
      t.is(result.revision, 1);
      t.deepEqual(
        result.events.map((e) => e.streamRevision),
        [0, 1],
      );
      t.deepEqual(
        result.events.map((e) => e.eventId),
        events.map((e) => e.eventId),
      );
      const read = await store.readStream(streamId);
      t.is(read.length, 2);
      read.forEach((event, index) => {
        const sent = events[index]!;
        t.is(event.eventId, sent.eventId);
        t.is(event.type, sent.type);
        t.is(event.schemaVersion, 1);
        t.is(event.streamId, streamId);
        t.is(event.streamRevision, index);
        t.deepEqual(event.data, sent.data);
        t.deepEqual(event.metadata, sent.metadata);
        t.false(Number.isNaN(Date.parse(event.recordedAt)), 'recordedAt is a timestamp');
        t.is(event.globalPosition, result.events[index]!.globalPosition);
      });
      t.true(read[1]!.globalPosition > read[0]!.globalPosition);
      t.deepEqual(await store.readStream(unique('missing')), [], 'a missing stream reads as empty');
      t.deepEqual(
        (await store.readStream(streamId, { fromRevision: 1 })).map((e) => e.streamRevision),
        [1],
      );
    } finally {
      await store.close();
    }
  });

  test(title('enforces every kind of expected revision, and a refused append changes nothing'), async (t) => {
    const store = await open();
    try {
      const streamId = unique('route');
      t.like(await append(store, streamId, [newEvent()], 'stream_exists'), { outcome: 'wrong_expected_revision', actual: 'no_stream' });
      t.like(await append(store, streamId, [newEvent()], 3), { outcome: 'wrong_expected_revision', actual: 'no_stream' });
      appended(await append(store, streamId, [newEvent()], 'no_stream'));
      t.like(await append(store, streamId, [newEvent()], 'no_stream'), { outcome: 'wrong_expected_revision', actual: 0 });
      t.like(await append(store, streamId, [newEvent()], 5), { outcome: 'wrong_expected_revision', actual: 0 });
      // A refused append must not move the stream: the right revision is still accepted afterwards.
      t.like(appended(await append(store, streamId, [newEvent()], 0)), { revision: 1 });
      t.like(appended(await append(store, streamId, [newEvent()], 'stream_exists')), { revision: 2 });
      t.like(appended(await append(store, streamId, [newEvent(), newEvent()], 'any')), { revision: 4 });
      t.like(appended(await append(store, unique('any'), [newEvent()], 'any')), { revision: 0 });
      const read = await store.readStream(streamId);
      t.deepEqual(
        read.map((e) => e.streamRevision),
        [0, 1, 2, 3, 4],
      );
    } finally {
      await store.close();
    }
  });

  test(title('concurrent appends to one stream: exactly one winner per expected revision, revisions gapless'), async (t) => {
    const store = await open();
    try {
      const streamId = unique('vehicle');
      appended(await append(store, streamId, [newEvent()], 'no_stream'));
      // 40 writers race for revision 0: exactly one may win.
      const racers = await Promise.all(Array.from({ length: 40 }, () => append(store, streamId, [newEvent()], 0)));
      t.is(racers.filter((r) => r.outcome === 'appended').length, 1);
      t.true(racers.every((r) => r.outcome === 'appended' || r.outcome === 'wrong_expected_revision'));

      // 20 writers each append 10 events with optimistic retries: all 200 land exactly once.
      const written = new Set<string>();
      await Promise.all(
        Array.from({ length: 20 }, async (_, writer) => {
          for (let i = 0; i < 10; i++) {
            const event = newEvent('test.happened.v1', { writer, i });
            for (;;) {
              const current = await store.readStream(streamId);
              const result = await append(store, streamId, [event], current[current.length - 1]!.streamRevision);
              if (result.outcome === 'appended') {
                written.add(event.eventId);
                break;
              }
            }
          }
        }),
      );
      const read = await store.readStream(streamId);
      t.is(read.length, 2 + 200);
      t.deepEqual(
        read.map((e) => e.streamRevision),
        Array.from({ length: 202 }, (_, i) => i),
      );
      t.is(new Set(read.map((e) => e.eventId)).size, read.length, 'no event stored twice');
      t.true(
        [...written].every((id) => read.some((e) => e.eventId === id)),
        'no acknowledged event lost',
      );
    } finally {
      await store.close();
    }
  });

  test(title('the global log keeps append order across streams, in batches'), async (t) => {
    const store = await open();
    try {
      const start = await store.headPosition();
      const streams = Array.from({ length: 7 }, () => unique('parcel'));
      const sent: string[] = [];
      for (let round = 0; round < 5; round++)
        for (const streamId of streams) {
          const event = newEvent('test.happened.v1', { round });
          sent.push(event.eventId);
          appended(await append(store, streamId, [event], round === 0 ? 'no_stream' : round - 1));
        }
      t.true((await store.headPosition()) > start);
      const log = (await readWholeLog(store, { after: start, batchSize: 4 })).filter((e) => streams.includes(e.streamId));
      t.deepEqual(
        log.map((e) => e.eventId),
        sent,
      );
      for (let i = 1; i < log.length; i++) t.true(log[i]!.globalPosition > log[i - 1]!.globalPosition);
      t.is(log[log.length - 1]!.globalPosition, await store.headPosition());
      const resumed = await readWholeLog(store, { after: log[9]!.globalPosition });
      t.deepEqual(
        resumed.filter((e) => streams.includes(e.streamId)).map((e) => e.eventId),
        sent.slice(10),
      );
    } finally {
      await store.close();
    }
  });

  test(title('filters the log by event type and by stream prefix, and checkpoints past skipped events'), async (t) => {
    const store = await open();
    try {
      const start = await store.headPosition();
      const tag = randomUUID().slice(0, 8);
      const parcel = `parcel${tag}-1`;
      const route = `route${tag}-1`;
      appended(await append(store, parcel, [newEvent(`parcel${tag}.registered.v1`), newEvent(`parcel${tag}.loaded.v1`)], 'no_stream'));
      appended(await append(store, route, [newEvent(`route${tag}.planned.v1`)], 'no_stream'));
      appended(await append(store, parcel, [newEvent(`parcel${tag}.delivered.v1`)], 1));
      const byType = await readWholeLog(store, {
        after: start,
        filter: { eventTypes: [`parcel${tag}.delivered.v1`, `route${tag}.planned.v1`] },
      });
      t.deepEqual(
        byType.map((e) => e.type),
        [`route${tag}.planned.v1`, `parcel${tag}.delivered.v1`],
      );
      const byPrefix = await readWholeLog(store, { after: start, filter: { streamPrefix: `parcel${tag}-` } });
      t.deepEqual(
        byPrefix.map((e) => e.type),
        [`parcel${tag}.registered.v1`, `parcel${tag}.loaded.v1`, `parcel${tag}.delivered.v1`],
      );
      const both = await readWholeLog(store, {
        after: start,
        filter: { streamPrefix: `parcel${tag}-`, eventTypes: [`parcel${tag}.loaded.v1`] },
      });
      t.deepEqual(
        both.map((e) => e.type),
        [`parcel${tag}.loaded.v1`],
      );
      const nothing = await store.readAll({ after: start, filter: { eventTypes: [`none${tag}.v1`] } });
      t.deepEqual(nothing.events, []);
      t.true(nothing.endOfLog);
      t.true(nothing.position >= byPrefix[2]!.globalPosition, 'a filtered read reports how far it scanned');
    } finally {
      await store.close();
    }
  });

  test(title('a catch-up subscription sees history then live events, each once, in order, under concurrent appends'), async (t) => {
    const store = await open();
    const controller = new AbortController();
    try {
      const start = await store.headPosition();
      const streams = Array.from({ length: 10 }, () => unique('sub'));
      for (const streamId of streams) appended(await append(store, streamId, [newEvent()], 'no_stream'));
      const writers = Promise.all(
        streams.map(async (streamId) => {
          for (let revision = 0; revision < 30; revision++) {
            appended(await append(store, streamId, [newEvent()], revision));
            if (revision % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          }
        }),
      );
      const expectedCount = streams.length * 31;
      const seen: RecordedEvent[] = [];
      const consume = (async () => {
        for await (const batch of store.subscribe({ after: start, batchSize: 50, signal: controller.signal })) {
          seen.push(...batch.events.filter((e) => streams.includes(e.streamId)));
          if (seen.length >= expectedCount) break;
        }
      })();
      await writers;
      await Promise.race([
        consume,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`subscription saw ${seen.length}/${expectedCount}`)), 20_000)),
      ]);
      const log = (await readWholeLog(store, { after: start })).filter((e) => streams.includes(e.streamId));
      t.is(seen.length, expectedCount);
      t.deepEqual(
        seen.map((e) => e.eventId),
        log.map((e) => e.eventId),
        'the subscription saw the log, in log order',
      );
      t.is(new Set(seen.map((e) => e.eventId)).size, expectedCount, 'no duplicates');
      for (const streamId of streams)
        t.deepEqual(
          seen.filter((e) => e.streamId === streamId).map((e) => e.streamRevision),
          Array.from({ length: 31 }, (_, i) => i),
        );
    } finally {
      controller.abort();
      await store.close();
    }
  });

  test(title('a subscription stops when its signal aborts'), async (t) => {
    const store = await open();
    try {
      const controller = new AbortController();
      const head = await store.headPosition();
      const batches: LogBatch[] = [];
      const consume = (async () => {
        for await (const batch of store.subscribe({ after: head, signal: controller.signal })) batches.push(batch);
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      await t.notThrowsAsync(consume);
      t.true(batches.every((b) => b.events.length === 0));
    } finally {
      await store.close();
    }
  });

  requestRecordsContract(test, { name, open });
};

/** Registers the suite as skipped with a title that says plainly why it was not run. */
export const contractNotRun = (test: TestFn, name: string, reason: string): void => {
  test.skip(`${name} event store contract — NOT RUN: ${reason}`, () => {});
};
