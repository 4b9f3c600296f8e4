// Issue 4, telemetry: pings per second accepted by POST /v1/telemetry (batches of 100 and of 500), and the
// live map's document writes per second under that load with its 2 s debounce, for a fleet of 8,200
// vehicles (the reference operator's). Target: 20,000 pings/s per process, on both batch sizes.
import { liveMapPositions } from '@meridian/projections';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';
import { runChild } from './api-latency/child.ts';
import { adminKey, startBenchPlatform, type BenchPlatform } from './api-latency/platform.ts';
import { profiled } from './api-latency/profile.ts';
import type { TelemetryLoadResult, TelemetryLoadSpec } from './telemetry/load-child.ts';
import { countWrites, type WriteCounter } from './telemetry/writes.ts';

const loadChild = new URL('./telemetry/load-child.ts', import.meta.url).pathname;

const batchSizes = [100, 500] as const;
const vehicles = 8_200;
const connections = 16;
const liveMapIntervalS = 2;

type Settings = { readonly durationMs: number; readonly skipMs: number; readonly warmupMs: number };

const settingsOf = (quick: boolean): Settings =>
  quick ? { durationMs: 2_000, skipMs: 500, warmupMs: 500 } : { durationMs: 25_000, skipMs: 5_000, warmupMs: 5_000 };

const load = (platform: BenchPlatform, batchSize: number, durationMs: number) =>
  runChild<TelemetryLoadResult>(loadChild, {
    url: platform.url,
    apiKey: adminKey,
    batchSize,
    vehicles,
    durationMs,
    connections,
  } satisfies TelemetryLoadSpec);

/** 202s of the load's window [skipMs, durationMs), times the pings each carried, per second. */
const acceptedPerSecond = (result: TelemetryLoadResult, batchSize: number, settings: Settings) => {
  const buckets = result.acceptedPer100ms.slice(settings.skipMs / 100, settings.durationMs / 100);
  return (buckets.reduce((sum, n) => sum + n, 0) * batchSize) / ((settings.durationMs - settings.skipMs) / 1000);
};

const describeRun = (batchSize: number, settings: Settings) =>
  `POST /v1/telemetry, batches of ${batchSize} pings of ${vehicles.toLocaleString('en-US')} vehicles in turn (each stamped now), autocannon closed loop, ` +
  `${connections} connections, no rate limit, ${settings.durationMs / 1000} s of which the first ${settings.skipMs / 1000} s are not counted (the queue's ` +
  `50,000 slots fill then); server: the embedded platform (in-process bounded queue of 50,000, live map with its ${liveMapIntervalS} s debounce writing ` +
  `SQLite documents, projectors idle) in the benchmark process, load generator in another; 2 cores shared with colleagues' work`;

const measurementsOf = (batchSize: number, settings: Settings, result: TelemetryLoadResult, writes: number): Measurement[] => {
  const description = describeRun(batchSize, settings);
  const sent = Object.values(result.statuses).reduce((sum, n) => sum + n, 0) + result.errors;
  return [
    {
      name: `telemetry.accepted.batch${batchSize}`,
      unit: 'pings/s',
      value: acceptedPerSecond(result, batchSize, settings),
      better: 'higher',
      description: `pings accepted (answered 202) per second, ${description}`,
      target: { value: 20_000 },
    },
    {
      name: `telemetry.live-map.writes.batch${batchSize}`,
      unit: 'docs/s',
      value: writes,
      better: 'higher',
      description:
        `live-map documents written per second (counted with the document store's watch) under that load; at ` +
        `most ${vehicles / liveMapIntervalS} with ${vehicles} vehicles and the ${liveMapIntervalS} s debounce; ${description}`,
    },
    {
      name: `telemetry.rejected.batch${batchSize}`,
      unit: 'requests',
      value: sent - (result.statuses['202'] ?? 0),
      better: 'lower',
      description: `requests not answered 202, of ${sent} (503 backpressure: ${result.statuses['503'] ?? 0}; connection errors: ${result.errors}), ${description}`,
    },
  ];
};

const phase = async (platform: BenchPlatform, counter: WriteCounter, batchSize: number, settings: Settings, log: BenchContext['log']) => {
  const elu = performance.eventLoopUtilization();
  const result = await profiled(`telemetry-batch${batchSize}`, () => load(platform, batchSize, settings.durationMs));
  const utilisation = performance.eventLoopUtilization(elu).utilization;
  const writes = counter.perSecond(result.startedAt + settings.skipMs, result.startedAt + settings.durationMs);
  log(
    `batch ${batchSize}: ${acceptedPerSecond(result, batchSize, settings).toFixed(0)} pings/s accepted, statuses ${JSON.stringify(result.statuses)}, ` +
      `errors ${result.errors}, latency p99 ${result.latencyP99Ms} ms; live map ${writes.toFixed(0)} writes/s; server event loop ${(utilisation * 100).toFixed(0)}% busy`,
  );
  return measurementsOf(batchSize, settings, result, writes);
};

const run = async ({ quick, workDir, log }: BenchContext): Promise<Measurement[]> => {
  const settings = settingsOf(quick);
  const platform = await startBenchPlatform(workDir, 'telemetry');
  const counter = countWrites(platform.documents, liveMapPositions.name);
  try {
    await load(platform, 100, settings.warmupMs);
    const measurements: Measurement[] = [];
    for (const batchSize of batchSizes) {
      // The queue drains and the live map's pending writes land before the next phase.
      await sleep(liveMapIntervalS * 1000 + 1000);
      globalThis.gc?.();
      measurements.push(...(await phase(platform, counter, batchSize, settings, log)));
    }
    return measurements;
  } finally {
    counter.stop();
    await platform.stop();
  }
};

export const benchmarks: Benchmark[] = [{ name: 'telemetry', run }];
