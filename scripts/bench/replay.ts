// Benchmark `replay` (issue 4): reading the global log in order, and rebuilding ParcelStatusView from it,
// into memory and into the SQLite document store; against a plain node:sqlite scan (the floor) and
// Emmett's consumer over the same events. Every figure runs in a fresh process of its own, so each peak
// RSS belongs to that figure alone.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';
import { ensureEmmett, runPeer } from './peers.ts';
import { runInChild } from './replay/child.ts';
import { ensureLog, type LogFixture } from './replay/fixture.ts';
import type { Task, TaskResult } from './replay/tasks.ts';

/** Events per readAll batch when reading (rebuilds take the replay engine's own batch size). */
const batchSize = 1_000;

type PeerResult = { readonly events: number; readonly seconds: number; readonly check: number };

const count = (n: number) => n.toLocaleString('en-US');
const rate = (r: { events: number; seconds: number }) => r.events / r.seconds;

const run = async (
  context: BenchContext,
  fixture: LogFixture,
  task: Task,
  label: string,
  expected: { events: number; check?: number },
): Promise<TaskResult> => {
  const result = await runInChild(task);
  if (result.events !== expected.events || (expected.check !== undefined && result.check !== expected.check))
    throw new Error(
      `${label}: expected ${count(expected.events)} events${expected.check === undefined ? '' : ` and ${count(expected.check)} documents`}, got ${JSON.stringify(result)}`,
    );
  const live = result.liveHeapMb === undefined ? '' : `, live heap after GC ${result.liveHeapMb.toFixed(0)} MB`;
  context.log(
    `${label}: ${count(result.events)} of ${count(fixture.events)} events in ${result.seconds.toFixed(2)} s = ${count(Math.round(rate(result)))}/s, peak RSS ${result.maxRssMb.toFixed(0)} MB${live}`,
  );
  return result;
};

const ourFigures = async (context: BenchContext, fixture: LogFixture): Promise<Measurement[]> => {
  const size = `${count(fixture.events)} events (${count(fixture.parcels)} parcels)`;
  const all = { events: fixture.events };
  const opened = await runInChild({ task: 'open', log: fixture.path });
  if (opened.seconds > 1) context.log(`opening the log took ${opened.seconds.toFixed(1)} s (the store migrated it)`);
  const read = await run(context, fixture, { task: 'read-log', log: fixture.path, batchSize }, 'read-log', all);
  const scan = await run(context, fixture, { task: 'plain-scan', log: fixture.path, batchSize }, 'plain-scan', all);
  const built = { events: fixture.events, check: fixture.parcels };
  const memory = await run(
    context,
    fixture,
    { task: 'rebuild', log: fixture.path, batchSize, into: 'memory' },
    'rebuild into memory',
    built,
  );
  const documents = join(context.workDir, `replay-documents-${process.pid}.db`);
  const removeDocuments = () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(`${documents}${suffix}`, { force: true }));
  removeDocuments();
  const sqlite = await run(
    context,
    fixture,
    { task: 'rebuild', log: fixture.path, batchSize, into: { sqlite: documents } },
    'rebuild into SQLite',
    built,
  ).finally(removeDocuments);
  // What the rebuild tasks run: the replay engine's catchUp, exactly as `npm run replay` does.
  const rebuildHow = (batch: string) =>
    `the replay engine's catchUp, as \`npm run replay\` runs it: streams the log through the store port (readAll ` +
    `filtered on the projection's event types, ${batch}), applies each batch with the runtime's applyEvents ` +
    `and saves a replay checkpoint after it; the projection's indexes are created after the load`;
  return [
    {
      name: 'replay.read-log',
      unit: 'events/s',
      value: rate(read),
      better: 'higher',
      comparedTo: 'replay.plain-scan',
      description:
        `Reads the whole global log of ${size} in order through the event store port (SQLite adapter, readAll ` +
        `batches of ${count(batchSize)}, no filter; envelopes with data and metadata JSON-decoded).`,
    },
    {
      name: 'replay.plain-scan',
      unit: 'events/s',
      value: rate(scan),
      better: 'higher',
      description:
        `The floor: plain node:sqlite over the same ${size}, SELECT ... WHERE global_position > ? ORDER BY global_position ` +
        `LIMIT ${count(batchSize)} (keyset pages with all(): faster here than one iterate() stepping row by row), ` +
        'JSON.parse of data and metadata of every row.',
    },
    {
      name: 'replay.rebuild.memory',
      unit: 'events/s',
      value: rate(memory),
      better: 'higher',
      comparedTo: 'replay.read-log',
      target: { value: 200_000 },
      description:
        `Rebuilds ParcelStatusView from ${size} into a Map-backed DocumentStore (the bench's; documents kept ` +
        `as objects): ${rebuildHow('2,000 events per batch, transactions of at most 450 writes')}.`,
    },
    {
      name: 'replay.rebuild.memory.rss',
      unit: 'MB',
      value: memory.maxRssMb,
      better: 'lower',
      target: { value: 300 },
      description:
        `Peak RSS (maxRSS) of the process of replay.rebuild.memory. It includes the read model itself: ${count(fixture.parcels)} ` +
        'parcel documents and as many stream checkpoints, held in the V8 heap (see the log for the live heap after a GC).',
    },
    {
      name: 'replay.rebuild.sqlite',
      unit: 'events/s',
      value: rate(sqlite),
      better: 'higher',
      comparedTo: 'replay.rebuild.memory',
      target: { value: 50_000 },
      description:
        `Rebuilds ParcelStatusView from ${size} into the SQLite document store (a fresh file per run, synchronous=NORMAL): ` +
        `${rebuildHow('10,000 events per batch, each batch one transaction, as the store takes up to 20,000 writes in one')}.`,
    },
    {
      name: 'replay.rebuild.sqlite.rss',
      unit: 'MB',
      value: sqlite.maxRssMb,
      better: 'lower',
      target: { value: 300 },
      description:
        'Peak RSS (maxRSS) of the process of replay.rebuild.sqlite (documents on disk; the log and the documents ' +
        'each on a SQLite connection with a 32 MB page cache; see the log for the live heap after a GC).',
    },
  ];
};

/** Emmett: the same events copied into its SQLite store once (cached), then its consumer and its batch read. */
const emmettFigures = async (context: BenchContext, fixture: LogFixture): Promise<Measurement[]> => {
  ensureEmmett(context.log);
  const copy = join(context.workDir, `emmett-${fixture.path.split('/').pop()}`);
  const built = await runPeer<PeerResult & { cached?: boolean }>('replay-log.mjs', ['build', fixture.path, copy, String(fixture.events)]);
  if (!built.cached)
    context.log(
      `copied ${count(built.events)} events into Emmett's SQLite store with its appendToStream in ${built.seconds.toFixed(0)} s (first run only)`,
    );
  const consumed = Math.min(fixture.events, context.quick ? 5_000 : 100_000);
  const consumer = await runPeer<PeerResult>('replay-log.mjs', ['consumer', copy, String(consumed), String(batchSize)]);
  const read = await runPeer<PeerResult>('replay-log.mjs', ['read', copy, String(batchSize)]);
  if (consumer.events !== consumed || read.events !== fixture.events)
    throw new Error(`Emmett read ${consumer.events} / ${read.events} events, expected ${consumed} / ${fixture.events}`);
  context.log(
    `Emmett consumer: ${count(consumer.events)} events in ${consumer.seconds.toFixed(2)} s; readMessagesBatch: ${count(read.events)} in ${read.seconds.toFixed(2)} s`,
  );
  const where = `Emmett 0.38.5 (emmett-sqlite, sqlite3 5 on the machine's Node 20), over the same parcel events copied in global order into its store`;
  return [
    {
      name: 'replay.emmett-consumer',
      unit: 'events/s',
      value: rate(consumer),
      better: 'higher',
      comparedTo: 'replay.read-log',
      description:
        `${where}: store.consumer() with one processor, startFrom 'BEGINNING', pulling batches of ${count(batchSize)} ` +
        `with no wait between them (its best; default 100 per 50 ms), over the first ${count(consumed)} events ` +
        'only (its processor stores a checkpoint per message, one transaction per batch, synchronous=FULL by default).',
    },
    {
      name: 'replay.emmett-read',
      unit: 'events/s',
      value: rate(read),
      better: 'higher',
      comparedTo: 'replay.read-log',
      description: `${where}: its fastest global read, readMessagesBatch in batches of ${count(batchSize)} over all ${count(read.events)} events (no checkpoints).`,
    },
  ];
};

const replay = async (context: BenchContext): Promise<Measurement[]> => {
  const fixture = await ensureLog(context.workDir, context.quick ? 20_000 : 1_000_000, context.log);
  return [...(await ourFigures(context, fixture)), ...(context.peers ? await emmettFigures(context, fixture) : [])];
};

export const benchmarks: Benchmark[] = [{ name: 'replay', run: replay }];
