// One lag measurement, whatever the wiring: watch the parcel documents, send steady traffic, wait for the
// last command to show, and turn sightings into lags. Commands that never show, or are refused, fail the
// run rather than being left out of the percentiles.
import type { DocumentStore, EventStore } from '@meridian/kernel';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendTraffic, type TrafficOptions } from './traffic.ts';
import { drain, lagsOf, percentile, watchParcels } from './visibility.ts';

export type LagDeps = {
  readonly traffic: TrafficOptions;
  /** Where the read model is watched. */
  readonly documents: DocumentStore;
  /** The log the commands were appended to, for each event's recordedAt. */
  readonly log: EventStore;
  /** Time for a watch to attach before traffic starts (a Firestore listener takes a moment). */
  readonly settleMs: number;
  readonly drainMs: number;
};

export type LagResult = { readonly p50: number; readonly p99: number; readonly samples: number; readonly summary: string };

/** Mean lag of each tenth of the run, in sending order: flat when steady, rising when the wiring falls behind. */
const trend = (lags: readonly number[]): string => {
  const size = Math.ceil(lags.length / 10);
  const slices = Array.from({ length: Math.ceil(lags.length / size) }, (_, i) => lags.slice(i * size, (i + 1) * size));
  return slices.map((slice) => Math.round(slice.reduce((sum, lag) => sum + lag, 0) / slice.length)).join(' ');
};

export const measureLag = async ({ traffic, documents, log, settleMs, drainMs }: LagDeps): Promise<LagResult> => {
  const sightings = watchParcels(documents);
  await sleep(settleMs);
  const { accepted, refused } = await sendTraffic(traffic);
  const missing = await drain(sightings, accepted, drainMs);
  sightings.stop();
  if (refused.length > 0) throw new Error(`${refused.length} commands refused, for example: ${refused.slice(0, 3).join(' | ')}`);
  if (missing > 0)
    throw new Error(`${missing} of ${accepted.length} accepted commands never showed in the read model within ${drainMs} ms`);
  const lags = await lagsOf(log, sightings, accepted);
  if (lags.length === 0) throw new Error('no lag measured');
  const p50 = percentile(lags, 50);
  const p99 = percentile(lags, 99);
  const mean = lags.reduce((sum, lag) => sum + lag, 0) / lags.length;
  const summary =
    `${lags.length} commands measured (${accepted.length - lags.length} warm-up): p50 ${p50.toFixed(1)} ms, ` +
    `p90 ${percentile(lags, 90).toFixed(1)}, p99 ${p99.toFixed(1)}, max ${Math.max(...lags).toFixed(1)}, ` +
    `mean ${mean.toFixed(1)}; mean per tenth of the run: ${trend(lags)} ms`;
  return { p50, p99, samples: lags.length, summary };
};
