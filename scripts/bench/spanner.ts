// Benchmark `spanner` (issue 15): appends and catch-up of the Spanner event store on the emulator (reused
// when SPANNER_EMULATOR_HOST is set, else started and stopped here). Functional figures only: the emulator
// runs one read-write transaction at a time per database and scans for range queries, so they say the
// adapter works at volume and where its costs are, never what Cloud Spanner does (docs/event-store.md has
// the documented production figures).
import type { EventStore } from '@meridian/kernel';
import { newEvent } from '@meridian/kernel/testing';
import { createSpannerEventStore } from '@meridian/spanner';
import { dropDatabase, freshDatabase } from '@meridian/spanner/testing';
import { join } from 'node:path';
import { emulatorUnavailable, startEmulator } from '../emulators/emulators.ts';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';

const label =
  'FUNCTIONAL figure from the Spanner emulator, which serialises every read-write transaction and scans ' +
  'for range queries: not production throughput (Cloud Spanner documents ~3,500 writes/s and ~22,500 reads/s per node, linear in nodes)';

/** Appends `appends` times `eventsPerAppend` events, `concurrency` streams in flight; resolves with events/s. */
const appendRate = async (
  store: EventStore,
  { appends, eventsPerAppend, concurrency, prefix }: { appends: number; eventsPerAppend: number; concurrency: number; prefix: string },
) => {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < appends; index = next++) {
        const result = await store.append({
          streamId: `${prefix}-${index % (concurrency * 4)}`,
          events: Array.from({ length: eventsPerAppend }, () => newEvent('bench.happened.v1', { index })),
          expectedRevision: 'any',
        });
        if (result.outcome !== 'appended') throw new Error(`append ${index}: ${result.outcome}`);
      }
    }),
  );
  return (appends * eventsPerAppend) / ((performance.now() - started) / 1000);
};

/** Reads the whole log as a catching-up consumer does (readAll batches of 1,000); resolves with events/s. */
const catchUpRate = async (store: EventStore, expected: number) => {
  const started = performance.now();
  let after = 0;
  let events = 0;
  for (;;) {
    const batch = await store.readAll({ after, batchSize: 1_000 });
    events += batch.events.length;
    after = batch.position;
    if (batch.endOfLog) break;
  }
  if (events !== expected) throw new Error(`catch-up read ${events} events, expected ${expected}`);
  return events / ((performance.now() - started) / 1000);
};

const spanner = async (context: BenchContext): Promise<Measurement[]> => {
  const reuse = process.env['SPANNER_EMULATOR_HOST'];
  const unavailable = reuse === undefined ? emulatorUnavailable('spanner') : undefined;
  if (unavailable !== undefined) {
    context.log(`no Spanner figures: ${unavailable}`);
    return [];
  }
  const emulator = reuse === undefined ? await startEmulator('spanner', { logDir: join(context.workDir, 'spanner-emulator') }) : undefined;
  const host = reuse ?? emulator!.host;
  const location = await freshDatabase(host, 'meridian-bench', 'meridian-bench');
  const store = createSpannerEventStore(location);
  try {
    const sizes = context.quick ? { single: 200, ten: 30 } : { single: 2_000, ten: 300 };
    const concurrency = 16;
    const single = await appendRate(store, { appends: sizes.single, eventsPerAppend: 1, concurrency, prefix: 'single' });
    context.log(`append single: ${Math.round(single)} events/s`);
    const ten = await appendRate(store, { appends: sizes.ten, eventsPerAppend: 10, concurrency, prefix: 'ten' });
    context.log(`append ten: ${Math.round(ten)} events/s`);
    const total = sizes.single + sizes.ten * 10;
    const catchUp = await catchUpRate(store, total);
    context.log(`catch-up: ${Math.round(catchUp)} events/s over ${total} events`);
    const how = `${concurrency} streams in flight from one process, through the event store port (one read-write transaction per append, then a strong read for the positions)`;
    return [
      {
        name: 'spanner.append.single',
        unit: 'events/s',
        value: single,
        better: 'higher',
        description: `${label}. ${sizes.single} appends of one event, ${how}.`,
      },
      {
        name: 'spanner.append.ten',
        unit: 'events/s',
        value: ten,
        better: 'higher',
        description: `${label}. ${sizes.ten} appends of ten events, ${how}.`,
      },
      {
        name: 'spanner.catch-up',
        unit: 'events/s',
        value: catchUp,
        better: 'higher',
        description: `${label}. Reads the whole log of ${total} events in commit order, readAll batches of 1,000, each a strong snapshot (what a catching-up subscription does).`,
      },
    ];
  } finally {
    await store.close();
    await dropDatabase(location).catch(() => undefined);
    await emulator?.stop();
  }
};

export const benchmarks: Benchmark[] = [{ name: 'spanner', run: spanner }];
