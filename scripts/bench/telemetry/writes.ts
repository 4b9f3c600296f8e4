// Counts a collection's committed document writes through the document store's watch, per 100 ms of the
// wall clock (Date.now(), which the load generator's process shares), so a window can be cut out later.
import type { DocumentStore } from '@meridian/kernel';

export type WriteCounter = {
  /** Writes per second between two Date.now() instants. */
  readonly perSecond: (from: number, to: number) => number;
  readonly stop: () => void;
};

export const countWrites = (documents: DocumentStore, collection: string): WriteCounter => {
  const origin = Date.now();
  const per100ms: number[] = [];
  const stop = documents.watch(collection, () => {
    const bucket = Math.floor((Date.now() - origin) / 100);
    while (per100ms.length <= bucket) per100ms.push(0);
    per100ms[bucket] = (per100ms[bucket] ?? 0) + 1;
  });
  return {
    perSecond: (from, to) => {
      const writes = per100ms.slice(Math.floor((from - origin) / 100), Math.floor((to - origin) / 100)).reduce((sum, n) => sum + n, 0);
      return writes / ((to - from) / 1000);
    },
    stop,
  };
};
