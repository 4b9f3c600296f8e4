// Folded aggregate states, most recently used first, bounded. A stream only ever grows, so a state folded
// up to revision R stays true: the command handler reads the events after R and folds on top. This turns
// "read and decode the whole stream" into "read what is new" (usually nothing) on every command.
export type CachedState = { readonly revision: number; readonly state: unknown };

export type StateCache = FoldCache<CachedState>;

/**
 * A bounded cache of things folded from a stream up to a revision, least recently used dropped first. An
 * entry never goes back to an earlier revision (a slower reader's older fold does not replace a newer one).
 */
export type FoldCache<V extends { readonly revision: number }> = {
  readonly get: (streamId: string) => V | undefined;
  readonly set: (streamId: string, entry: V) => void;
};

export const createFoldCache = <V extends { readonly revision: number }>(capacity: number): FoldCache<V> => {
  const entries = new Map<string, V>();
  return {
    get: (streamId) => {
      const entry = entries.get(streamId);
      if (entry !== undefined) {
        // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
        entries.delete(streamId);
        entries.set(streamId, entry);
      }
      return entry;
    },
    set: (streamId, entry) => {
      const known = entries.get(streamId);
      if (known !== undefined && known.revision > entry.revision) return;
      entries.delete(streamId);
      entries.set(streamId, entry);
      if (entries.size > capacity) entries.delete(entries.keys().next().value!);
    },
  };
};

export const createStateCache = (capacity = 50_000): StateCache => createFoldCache<CachedState>(capacity);
