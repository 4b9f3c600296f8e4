// Positions never change once an event can be read (positions.ts), so a store remembers those it has
// computed: a command reads its stream before appending to it, and counting ranks on every read would
// cost a range read per event.
export type PositionCache = {
  readonly get: (streamId: string, revision: number) => number | undefined;
  readonly set: (streamId: string, revision: number, position: number) => void;
};

export const createPositionCache = (capacity = 200_000): PositionCache => {
  const positions = new Map<string, number>();
  const key = (streamId: string, revision: number) => `${revision}/${streamId}`;
  return {
    get: (streamId, revision) => positions.get(key(streamId, revision)),
    set: (streamId, revision, position) => {
      positions.set(key(streamId, revision), position);
      // The oldest entry goes first (a Map iterates in insertion order).
      if (positions.size > capacity) positions.delete(positions.keys().next().value!);
    },
  };
};
