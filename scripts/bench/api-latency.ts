// Issue 4, command API latency: p50/p99/max of deliver-parcel and register-parcel at 500 and 1,000
// requests/s, 30 s each, on the embedded wiring. Target: deliver p99 <= 10 ms at 1,000 requests/s.
// The reference operator's old system answered "mark delivered" at p99 4.6 s (62 ms after its rebuild).
import { performance } from 'node:perf_hooks';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';
import type { Scenario } from './api-latency/bodies.ts';
import { runChild } from './api-latency/child.ts';
import { describeCounts } from './api-latency/counters.ts';
import type { LoadSpec } from './api-latency/load-child.ts';
import type { PacedResult } from './api-latency/paced-load.ts';
import { adminKey, eventStoreSynchronous, startBenchPlatform, type BenchPlatform } from './api-latency/platform.ts';
import { profiled } from './api-latency/profile.ts';
import { stageOutForDelivery } from './api-latency/stage.ts';

const loadChild = new URL('./api-latency/load-child.ts', import.meta.url).pathname;

const rates = [500, 1000] as const;
const scenarios: readonly Scenario[] = ['deliver', 'register'];
/** Enough that a stall of a few hundred ms at 1,000 requests/s does not run out of connections. */
const connections = 256;

type Settings = { readonly durationMs: number; readonly warmupMs: number; readonly warmupRate: number };

const settingsOf = (quick: boolean): Settings =>
  quick ? { durationMs: 2_000, warmupMs: 500, warmupRate: 200 } : { durationMs: 30_000, warmupMs: 5_000, warmupRate: 300 };

const parcelsFor = (rate: number, durationMs: number) => Math.ceil((rate * durationMs) / 1000) + 10;

const seriesOf = (scenario: Scenario, rate: number | 'warm') => `${scenario}-${rate}`;

const load = (platform: BenchPlatform, scenario: Scenario, rate: number, durationMs: number, series: string) =>
  runChild<PacedResult>(loadChild, {
    url: platform.url,
    apiKey: adminKey,
    scenario,
    series,
    rate,
    durationMs,
    connections,
  } satisfies LoadSpec);

const stage = (settings: Settings, log: BenchContext['log']) => async (store: Parameters<typeof stageOutForDelivery>[0]) => {
  const started = Date.now();
  const series = [
    ...rates.map((rate) => ({ series: seriesOf('deliver', rate), count: parcelsFor(rate, settings.durationMs) })),
    { series: seriesOf('deliver', 'warm'), count: parcelsFor(settings.warmupRate, settings.warmupMs) },
  ];
  for (const { series: name, count } of series) await stageOutForDelivery(store, name, count);
  const total = series.reduce((sum, s) => sum + s.count, 0);
  log(
    `staged ${total.toLocaleString('en-US')} parcels out for delivery (4 commands each) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
};

const settle = async (platform: BenchPlatform, log: BenchContext['log']) => {
  const started = Date.now();
  if (!(await platform.settled())) log('the projectors did not catch up within 2 min; measuring anyway');
  else log(`projectors caught up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  globalThis.gc?.();
};

const describeRun = (scenario: Scenario, rate: number, settings: Settings) =>
  `POST ${scenario === 'deliver' ? '/v1/parcels/{id}/deliver (a different parcel each, staged out for delivery)' : '/v1/parcels (a new parcel each)'}` +
  ` at a fixed ${rate} requests/s for ${settings.durationMs / 1000} s, open loop (request i issued at start + i/rate whatever the earlier ones did; latency from issue to the answer's end), ` +
  `${connections} keep-alive connections, with an Idempotency-Key, admin key; server: the embedded platform (SQLite events synchronous ${eventStoreSynchronous}, ` +
  `SQLite read models, projectors and live map running) in the benchmark process; load generator in another process; ` +
  `2 cores shared with colleagues' work, so the two processes and others compete for CPU`;

const measurementsOf = (scenario: Scenario, rate: number, settings: Settings, result: PacedResult): Measurement[] => {
  if (result.latency.count === 0) throw new Error(`${scenario} @ ${rate}/s: no request was answered (${JSON.stringify(result.statuses)})`);
  const name = `api.${scenario}.${rate}`;
  const description = describeRun(scenario, rate, settings);
  const latency = (stat: 'p50' | 'p99' | 'max'): Measurement => ({
    name: `${name}.${stat}`,
    unit: 'ms',
    value: result.latency[stat],
    better: 'lower',
    description:
      `${stat} latency of ${description}` +
      (scenario === 'deliver' && stat === 'p99' ? '. Reference operator: p99 4.6 s, 62 ms after its rebuild' : ''),
    ...(scenario === 'deliver' && rate === 1000 && stat === 'p99' && { target: { value: 10 } }),
  });
  const ok = result.statuses['202'] ?? 0;
  return [
    latency('p50'),
    latency('p99'),
    latency('max'),
    {
      name: `${name}.rate`,
      unit: 'req/s',
      value: result.achievedRate,
      better: 'higher',
      description: `requests answered per second (any status), from the first request due to the last answer, of ${description}`,
    },
    {
      name: `${name}.non2xx`,
      unit: 'requests',
      value: result.sent - ok,
      better: 'lower',
      description: `requests not answered 202 (other statuses and connection errors) of ${result.sent} sent, of ${description}`,
    },
  ];
};

const logRun = (log: BenchContext['log'], label: string, r: PacedResult) =>
  log(
    `${label}: sent ${r.sent}, ${r.achievedRate.toFixed(0)} req/s, statuses ${JSON.stringify(r.statuses)}; ` +
      `latency p50 ${r.latency.p50.toFixed(2)} p90 ${r.latency.p90.toFixed(2)} p99 ${r.latency.p99.toFixed(2)} ` +
      `max ${r.latency.max.toFixed(1)} ms; ` +
      `from due: p99 ${r.latencyFromDue.p99.toFixed(2)} max ${r.latencyFromDue.max.toFixed(1)} ms; generator ` +
      `send lag p99 ${r.sendLag.p99.toFixed(2)} max ${r.sendLag.max.toFixed(1)} ms, its loop delay p99 ${r.generatorLoopDelayP99Ms.toFixed(1)} ms`,
  );

/** One scenario at one rate, logged with how busy the server's event loop was and what its stores did. */
const measuredPhase = async (platform: BenchPlatform, scenario: Scenario, rate: number, settings: Settings, log: BenchContext['log']) => {
  const elu = performance.eventLoopUtilization();
  const counts = { ...platform.counts };
  const started = performance.now();
  const result = await profiled(`api-${scenario}-${rate}`, () =>
    load(platform, scenario, rate, settings.durationMs, seriesOf(scenario, rate)),
  );
  const seconds = (performance.now() - started) / 1000;
  logRun(log, `${scenario} @ ${rate}/s`, result);
  log(
    `  server event loop ${(performance.eventLoopUtilization(elu).utilization * 100).toFixed(0)}% busy; ${describeCounts(counts, platform.counts, seconds)}`,
  );
  return result;
};

const run = async ({ quick, workDir, log }: BenchContext): Promise<Measurement[]> => {
  const settings = settingsOf(quick);
  const platform = await startBenchPlatform(workDir, 'api-latency', stage(settings, log));
  try {
    await settle(platform, log);
    for (const scenario of scenarios)
      logRun(
        log,
        `warm-up ${scenario}`,
        await load(platform, scenario, settings.warmupRate, settings.warmupMs, seriesOf(scenario, 'warm')),
      );
    const measurements: Measurement[] = [];
    for (const scenario of scenarios)
      for (const rate of rates) {
        await settle(platform, log);
        const result = await measuredPhase(platform, scenario, rate, settings, log);
        measurements.push(...measurementsOf(scenario, rate, settings, result));
      }
    return measurements;
  } finally {
    await platform.stop();
  }
};

export const benchmarks: Benchmark[] = [{ name: 'api-latency', run }];
