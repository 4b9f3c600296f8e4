// The revisions this process has seen streams at, so that an append with a request at a revision the
// caller has just read need not ask the server where the stream is (requests.ts).
//
// A stream's revision never goes back: events are only appended, a soft-deleted stream is recreated with
// its revisions continuing, and a tombstoned one takes no appends at all. So "the stream has reached revision
// R" stays true once seen, whoever saw it (a read through the port, from any node, or an append's answer).
// Bounded: the streams seen longest ago are forgotten first, and a forgotten stream costs a read, not a
// wrong answer.

export type SeenRevisions = {
  /** The highest revision seen of the stream, if it is remembered. */
  readonly get: (streamId: string) => number | undefined;
  readonly note: (streamId: string, revision: number) => void;
};

export const seenRevisions = (capacity = 10_000): SeenRevisions => {
  const seen = new Map<string, number>();
  return {
    get: (streamId) => seen.get(streamId),
    note: (streamId, revision) => {
      const highest = Math.max(revision, seen.get(streamId) ?? -1);
      // Deleted and set again, so the Map's insertion order is the order of last use.
      seen.delete(streamId);
      seen.set(streamId, highest);
      if (seen.size > capacity) seen.delete(seen.keys().next().value!);
    },
  };
};
