// Issue 14, a slow SMS gateway never slows the command path: deliver p99 at 500 requests/s on the embedded
// platform while the customer notifications text every parcel through the HTTP gateway adapter, once with a
// gateway that answers at once and once with one that answers in 6 s. The texts are an effect of a consumer
// of the log, after the command's append: the API never waits for them, so the two p99s should match.
import { startFakeProvider, type FakeProvider } from '@meridian/sms-gateway/testing';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';
import { runChild } from './api-latency/child.ts';
import type { LoadSpec } from './api-latency/load-child.ts';
import type { PacedResult } from './api-latency/paced-load.ts';
import { adminKey, startBenchPlatform } from './api-latency/platform.ts';
import { stageOutForDelivery } from './api-latency/stage.ts';

const loadChild = new URL('./api-latency/load-child.ts', import.meta.url).pathname;
const rate = 500;
const connections = 256;
const token = 'bench-sms-token-0001';
const gateways = [
  { label: 'fast-gateway', delayMs: 0 },
  { label: 'slow-gateway', delayMs: 6_000 },
] as const;

const settingsOf = (quick: boolean) => (quick ? { durationMs: 2_000, warmupMs: 500 } : { durationMs: 30_000, warmupMs: 5_000 });

const measure = async (
  { log, workDir }: BenchContext,
  gateway: (typeof gateways)[number],
  settings: ReturnType<typeof settingsOf>,
): Promise<{ result: PacedResult; provider: { requests: number; sent: number } }> => {
  const provider: FakeProvider = await startFakeProvider({ token });
  provider.set({ delayMs: gateway.delayMs });
  const countOf = (durationMs: number) => Math.ceil((rate * durationMs) / 1000) + 10;
  const platform = await startBenchPlatform(
    workDir,
    `notifications-${gateway.label}`,
    async (store) => {
      await stageOutForDelivery(store, `${gateway.label}-warm`, countOf(settings.warmupMs));
      await stageOutForDelivery(store, gateway.label, countOf(settings.durationMs));
    },
    // The texts through the provider here, from wherever the notifications run (npm start: their own thread).
    { url: provider.url, token },
  );
  try {
    if (!(await platform.settled())) log('the projectors did not catch up within 2 min; measuring anyway');
    const spec = (series: string, durationMs: number): LoadSpec => ({
      url: platform.url,
      apiKey: adminKey,
      scenario: 'deliver',
      series,
      rate,
      durationMs,
      connections,
    });
    await runChild<PacedResult>(loadChild, spec(`${gateway.label}-warm`, settings.warmupMs));
    const result = await runChild<PacedResult>(loadChild, spec(gateway.label, settings.durationMs));
    const requests = provider.requests().length;
    log(
      `${gateway.label} (${gateway.delayMs} ms): deliver p50 ${result.latency.p50.toFixed(2)} p99 ${result.latency.p99.toFixed(2)} max ${result.latency.max.toFixed(1)} ms, ` +
        `statuses ${JSON.stringify(result.statuses)}; the gateway answered ${requests} texts meanwhile (${provider.sent().length} kept)`,
    );
    return { result, provider: { requests, sent: provider.sent().length } };
  } finally {
    await platform.stop();
    await provider.close();
  }
};

const run = async (context: BenchContext): Promise<Measurement[]> => {
  const settings = settingsOf(context.quick);
  const measurements: Measurement[] = [];
  for (const gateway of gateways) {
    const { result } = await measure(context, gateway, settings);
    const description =
      `deliver (POST /v1/parcels/{id}/deliver, a different staged parcel each) at a fixed ${rate} requests/s for ${settings.durationMs / 1000} s, open loop, ` +
      `on the embedded platform with customer notifications texting every staged parcel through the HTTP SMS gateway adapter to a local fake provider answering in ${gateway.delayMs} ms`;
    measurements.push(
      {
        name: `notifications.deliver.${rate}.${gateway.label}.p50`,
        unit: 'ms',
        value: result.latency.p50,
        better: 'lower',
        description: `p50 latency of ${description}`,
      },
      {
        name: `notifications.deliver.${rate}.${gateway.label}.p99`,
        unit: 'ms',
        value: result.latency.p99,
        better: 'lower',
        description: `p99 latency of ${description}`,
        ...(gateway.delayMs > 0 && { comparedTo: `notifications.deliver.${rate}.fast-gateway.p99` }),
      },
      {
        name: `notifications.deliver.${rate}.${gateway.label}.non2xx`,
        unit: 'requests',
        value: result.sent - (result.statuses['202'] ?? 0),
        better: 'lower',
        description: `requests not answered 202 of ${result.sent}, ${description}`,
      },
    );
  }
  return measurements;
};

export const benchmarks: Benchmark[] = [{ name: 'notifications', run }];
