// When each parcel document became visible at each revision, as the document store's watch() reported it,
// and the lag of every accepted command: from its event's recordedAt (the store's clock at the append) to
// the first sighting of the parcel's document at that revision or later.
import type { DocumentStore, EventStore } from '@meridian/kernel';
import { parcelStatusProjection, parcelsCollection, physicalCollection } from '@meridian/projections';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Accepted } from './traffic.ts';

/** Wall-clock milliseconds with a fraction (recordedAt is whole milliseconds: lags read up to 1 ms high). */
const wallNow = () => performance.timeOrigin + performance.now();

export type Sightings = {
  /** The first time the parcel's document was seen at `revision` or a later one. */
  readonly firstSeen: (parcelId: string, revision: number) => number | undefined;
  readonly stop: () => void;
};

export const watchParcels = (documents: DocumentStore): Sightings => {
  const seen = new Map<string, { revision: number; at: number }[]>();
  const stop = documents.watch(physicalCollection(parcelsCollection, parcelStatusProjection.version), (change) => {
    const at = wallNow();
    const revision = change.document?.['revision'];
    if (typeof revision !== 'number') return;
    const list = seen.get(change.id) ?? [];
    list.push({ revision, at });
    seen.set(change.id, list);
  });
  return { firstSeen: (parcelId, revision) => seen.get(parcelId)?.find((s) => s.revision >= revision)?.at, stop };
};

/** Waits until every accepted command is visible, or the timeout passes; returns how many never were. */
export const drain = async (sightings: Sightings, accepted: readonly Accepted[], timeoutMs: number): Promise<number> => {
  const deadline = Date.now() + timeoutMs;
  const missing = () => accepted.filter((a) => sightings.firstSeen(a.parcelId, a.revision) === undefined).length;
  while (missing() > 0 && Date.now() < deadline) await sleep(50);
  return missing();
};

/** The lag of each measured (not warm-up) command, in milliseconds. */
export const lagsOf = async (log: EventStore, sightings: Sightings, accepted: readonly Accepted[]): Promise<number[]> => {
  const recordedAt = new Map<string, number>();
  for (const parcelId of new Set(accepted.map((a) => a.parcelId)))
    for (const event of await log.readStream(`parcel-${parcelId}`))
      recordedAt.set(`${parcelId}@${event.streamRevision}`, Date.parse(event.recordedAt));
  return accepted.flatMap((a) => {
    const seen = sightings.firstSeen(a.parcelId, a.revision);
    const recorded = recordedAt.get(`${a.parcelId}@${a.revision}`);
    return a.warmUp || seen === undefined || recorded === undefined ? [] : [seen - recorded];
  });
};

/** Nearest-rank percentile. */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
