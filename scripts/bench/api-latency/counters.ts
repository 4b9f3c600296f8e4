// What the stores did during a phase, for the log: appends and the group commits they shared (the SQLite
// store commits every append requested in one turn of the event loop together, as counted here), and
// document transactions (projectors, checkpoints, live map). Counting wraps the ports; it costs a few
// increments per call.
import type { DocumentStore, EventStore } from '@meridian/kernel';

export type StoreCounts = { appends: number; commits: number; transactions: number };

export const countingEventStore = (store: EventStore, counts: StoreCounts): EventStore => {
  let turnOpen = false;
  return {
    ...store,
    append: (request) => {
      counts.appends++;
      if (!turnOpen) {
        turnOpen = true;
        counts.commits++;
        setImmediate(() => (turnOpen = false));
      }
      return store.append(request);
    },
  };
};

export const countingDocumentStore = (documents: DocumentStore, counts: StoreCounts): DocumentStore => ({
  ...documents,
  transact: (keys, compute) => {
    counts.transactions++;
    return documents.transact(keys, compute);
  },
});

export const describeCounts = (before: StoreCounts, after: StoreCounts, seconds: number): string => {
  const appends = after.appends - before.appends;
  const commits = after.commits - before.commits;
  return (
    `event store ${(appends / seconds).toFixed(0)} appends/s in ${(commits / seconds).toFixed(0)} group commits/s ` +
    `(${commits === 0 ? 0 : (appends / commits).toFixed(1)} per commit); document store ${((after.transactions - before.transactions) / seconds).toFixed(0)} transactions/s`
  );
};
