// Benchmark `lag` (issue 4): end-to-end lag from an append to the read model showing it, p50 and p99,
// embedded (the local platform in this process) and through the Spanner, Pub/Sub and Firestore emulators.
// Lag of a command: from its event's recordedAt (the store's clock when the append's group commit began)
// to the moment the document store's watch() reports the parcel's document at that revision or later.
import type { Benchmark, BenchContext, Measurement } from './harness.ts';
import { embeddedLag } from './lag/embedded.ts';
import { emulatorLag } from './lag/emulators.ts';
import type { LagResult } from './lag/measure.ts';

const figures = (wiring: 'embedded' | 'emulators', result: LagResult, how: string, target: number): Measurement[] =>
  (['p50', 'p99'] as const).map((p) => ({
    name: `lag.${wiring}.${p}`,
    unit: 'ms',
    value: result[p],
    better: 'lower',
    ...(p === 'p99' && { target: { value: target } }),
    description: `${p} of append → read model visible (${result.samples} commands): ${how}`,
  }));

type Traffic = { readonly perSecond: number; readonly durationMs: number; readonly warmUpMs: number };

const describe = ({ perSecond, durationMs, warmUpMs }: Traffic) =>
  `${perSecond} commands/s over HTTP for ${durationMs / 1000} s${warmUpMs > 0 ? ` after ${warmUpMs / 1000} s of warm-up traffic (not measured)` : ''}, ` +
  `one every ${1000 / perSecond} ms without waiting for answers (each parcel: register, assign, load, out ` +
  `for delivery, deliver); lag from the event's recordedAt to the parcel document's watch() callback at that revision`;

const lag = async (context: BenchContext): Promise<Measurement[]> => {
  const embeddedTraffic: Traffic = { perSecond: 200, durationMs: context.quick ? 1_000 : 10_000, warmUpMs: context.quick ? 0 : 1_000 };
  const embedded = await embeddedLag(embeddedTraffic);
  context.log(`embedded: ${embedded.summary}`);
  const measurements = figures(
    'embedded',
    embedded,
    `the local platform in-process (SQLite event store at synchronous=FULL, SQLite read models, projectors on log subscriptions); ${describe(embeddedTraffic)}.`,
    50,
  );

  if (context.quick) {
    context.log('emulators: skipped in quick mode (starting the emulators and five app processes takes longer than a quick run)');
    return measurements;
  }
  // 50/s, not 200/s: on this machine's two shared cores the five app processes and two emulators fall behind
  // at 200/s (lag climbs to seconds: a throughput ceiling, not a lag). The first seconds after start are
  // slow too (five fresh processes and the emulators warming up), hence the longer warm-up.
  const emulatorTraffic: Traffic = { perSecond: 50, durationMs: 10_000, warmUpMs: 5_000 };
  const emulators = await emulatorLag(emulatorTraffic, context.log);
  if (emulators === undefined) return measurements;
  context.log(`emulators: ${emulators.summary}`);
  const how =
    'the cloud wiring (command API, relay, and projector running the read-model projections, each its own ' +
    'process and no other app started, as each runs on machines of its own in the cloud; the event store ' +
    'on the Spanner emulator (which serialises every read-write transaction), Pub/Sub and Firestore emulators; ' +
    `the emulator's own delivery floor is ~25 ms), watched through a Firestore onSnapshot in the bench process; ${describe(emulatorTraffic)}.`;
  return [...measurements, ...figures('emulators', emulators, how, 500)];
};

export const benchmarks: Benchmark[] = [{ name: 'lag', run: lag }];
