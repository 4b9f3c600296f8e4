// Issue 4, append: 100,000 events into 10,000 streams through the command handler (decide + append), one
// event per command and ten per command, against node:sqlite written straight (the machine's limit for
// durable single appends) and Emmett's SQLite event store in its fastest configuration.
import { parcel } from '@meridian/parcel';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { handlerOnSqlite, warmUpAndMeasureRows } from './append/embedded-store.ts';
import { runEmmettAppends } from './append/emmett-peer.ts';
import { appendFigures, count, rate, rowText, type AppendShape, type AppendTimings } from './append/figures.ts';
import { ledger, recordEntriesCommand } from './append/ledger.ts';
import { parcelLifecycle } from './append/parcel-lifecycle.ts';
import { rawAppends } from './append/raw-sqlite.ts';
import type { Timed } from './append/through-handler.ts';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';

/** Commands of different streams in flight at once (each stream's commands in order). */
const concurrency = 128;

const sizesFor = (quick: boolean) =>
  quick
    ? { streams: 1_000, singlePerStream: 2, emmettStreams: 300, warmUpStreams: 100 }
    : { streams: 10_000, singlePerStream: 10, emmettStreams: 10_000, warmUpStreams: 300 };

type Sync = 'FULL' | 'NORMAL';
type Kind = 'single' | 'ten';

/** The workloads of one run, each into its own fresh database file. */
const measure = async (context: BenchContext, dir: string, shape: AppendShape): Promise<AppendTimings> => {
  const now = new Date();
  const parcels = Array.from({ length: shape.streams }, (_, i) => parcelLifecycle(i, now).slice(0, shape.singlePerStream));
  const ledgers = Array.from({ length: shape.streams }, (_, i) => [recordEntriesCommand(i, now)]);
  const file = (name: string) => join(dir, `${name}.db`);
  const report = (what: string, timed: Timed) => {
    context.log(`${what}: ${count(rate(timed))} events/s`);
    return timed;
  };
  const raw = (kind: Kind, synchronous: Sync) => {
    globalThis.gc?.();
    const perKind =
      kind === 'single'
        ? { appendsPerStream: shape.singlePerStream, eventsPerAppend: 1, appendsPerTransaction: 1, row: shape.singleRow, prefix: 'parcel' }
        : { appendsPerStream: 1, eventsPerAppend: 10, appendsPerTransaction: concurrency, row: shape.tenRow, prefix: 'ledger' };
    return report(
      `raw node:sqlite ${kind} ${synchronous}`,
      rawAppends({ path: file(`raw-${kind}-${synchronous}`), synchronous, streams: shape.streams, block: concurrency, ...perKind }),
    );
  };
  const handler = async (kind: Kind, synchronous: Sync) => {
    globalThis.gc?.();
    const path = file(`handler-${kind}-${synchronous}`);
    const timed =
      kind === 'single'
        ? await handlerOnSqlite({ path, synchronous, aggregate: parcel, streams: parcels, concurrency })
        : await handlerOnSqlite({ path, synchronous, aggregate: ledger, streams: ledgers, concurrency });
    return report(`handler ${kind} ${synchronous}`, timed);
  };
  const single = { raw: raw('single', 'NORMAL'), handler: await handler('single', 'NORMAL') };
  const singleFull = { raw: raw('single', 'FULL'), handler: await handler('single', 'FULL') };
  const ten = { raw: raw('ten', 'NORMAL'), handler: await handler('ten', 'NORMAL') };
  const tenFull = { raw: raw('ten', 'FULL'), handler: await handler('ten', 'FULL') };
  globalThis.gc?.();
  const emmett = context.peers
    ? await runEmmettAppends({
        dir: join(dir, 'emmett'),
        streams: shape.emmettStreams,
        singlePerStream: shape.singlePerStream,
        single: shape.singleRow,
        ten: shape.tenRow,
        log: context.log,
      })
    : undefined;
  if (emmett !== undefined)
    context.log(`Emmett on Node ${emmett.node}: single ${count(rate(emmett.single))} events/s, ten ${count(rate(emmett.ten))} events/s`);
  return {
    raw: { single: single.raw, singleFull: singleFull.raw, ten: ten.raw, tenFull: tenFull.raw },
    handler: { single: single.handler, singleFull: singleFull.handler, ten: ten.handler, tenFull: tenFull.handler },
    emmett,
  };
};

const appendBenchmark = async (context: BenchContext): Promise<Measurement[]> => {
  const sizes = sizesFor(context.quick);
  const dir = join(context.workDir, `append-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    // Warms the JIT on an in-memory store and measures the rows the handler writes, before timing anything.
    const now = new Date();
    const warmUp = Array.from({ length: sizes.warmUpStreams }, (_, i) => i + 900_000);
    const singleRow = await warmUpAndMeasureRows({ aggregate: parcel, streams: warmUp.map((i) => parcelLifecycle(i, now)), concurrency });
    const tenRow = await warmUpAndMeasureRows({
      aggregate: ledger,
      streams: warmUp.map((i) => [recordEntriesCommand(i, now)]),
      concurrency,
    });
    const shape: AppendShape = { ...sizes, concurrency, singleRow, tenRow };
    context.log(
      `append: ${count(sizes.streams)} streams × ${sizes.singlePerStream} single, × 1 ten; ${rowText(singleRow)} (single), ${rowText(tenRow)} (ten)`,
    );
    return appendFigures(await measure(context, dir, shape), shape);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const benchmarks: Benchmark[] = [{ name: 'append', run: appendBenchmark }];
