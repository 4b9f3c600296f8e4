// Log positions on Spanner: the port's `globalPosition` is a number, and Spanner has no global counter
// that does not make one hot row of every append. The log's order is the commit order instead:
// (commit timestamp, stream id, revision), unique because two transactions on one stream conflict and so
// never share a commit timestamp. That key becomes a number without any coordination between writers:
//
//   position = (commit millisecond − epoch) × slotsPerMillisecond + rank + 1
//
// where rank is the event's place among the events committed in the same millisecond, in key order.
// A rank never changes once an event can be read: a strong read at T sees every commit at or before T, so
// every event of that millisecond that sorts before a visible one is visible too, and whatever commits
// later has a later timestamp and sorts after it. Positions are strictly increasing in log order, not
// dense, and safe integers until 2094 (2^53 / 4,096 milliseconds after 2025).
//
// The price: at most `slotsPerMillisecond` events may commit in one millisecond across the whole database
// (4,096,000 events/s in any one millisecond); one append is limited to `maxEventsPerAppend` so that no
// single transaction can come near it. A millisecond with more is refused when it is read (LogCapacity).

/** 2025-01-01T00:00:00Z: no event of a Spanner store was committed before it. */
export const positionEpochMs = Date.UTC(2025, 0, 1);
export const slotsPerMillisecond = 4_096;
export const maxEventsPerAppend = 1_000;

/** A commit millisecond held more events than positions can tell apart. */
export class LogCapacityExceeded extends Error {
  constructor(millisecond: number) {
    super(
      `more than ${slotsPerMillisecond} events were committed in the millisecond ${new Date(millisecond).toISOString()}: their log positions would collide (docs/event-store.md, "Spanner")`,
    );
    this.name = 'LogCapacityExceeded';
  }
}

export const positionOf = (millisecond: number, rank: number): number => {
  if (rank >= slotsPerMillisecond) throw new LogCapacityExceeded(millisecond);
  return (millisecond - positionEpochMs) * slotsPerMillisecond + rank + 1;
};

/** The millisecond and rank an event's position stands for. */
export const decodePosition = (position: number): { readonly millisecond: number; readonly rank: number } => ({
  millisecond: positionEpochMs + Math.floor((position - 1) / slotsPerMillisecond),
  rank: (position - 1) % slotsPerMillisecond,
});

/** Where reading after `position` starts: its millisecond, and how many events of it to skip. */
export const resumePointOf = (position: number): { readonly millisecond: number; readonly skip: number } => {
  if (position <= 0) return { millisecond: positionEpochMs, skip: 0 };
  const slot = Math.floor(position) - 1;
  const millisecond = positionEpochMs + Math.floor(slot / slotsPerMillisecond);
  const skip = (slot % slotsPerMillisecond) + 1;
  // Past the last slot of a millisecond: nothing of it is left to read.
  return skip === slotsPerMillisecond ? { millisecond: millisecond + 1, skip: 0 } : { millisecond, skip };
};

/** The highest position of any event committed before this millisecond: a checkpoint for "all before it". */
export const positionBefore = (millisecond: number): number => Math.max(0, (millisecond - positionEpochMs) * slotsPerMillisecond);

/** Commit timestamps in microseconds since the Unix epoch (UNIX_MICROS), to their millisecond. */
export const millisecondOf = (commitMicros: number): number => Math.floor(commitMicros / 1_000);

/** An event's place in the log, as its row gives it. */
export type LogKey = { readonly commitMicros: number; readonly streamId: string; readonly revision: number };

export const compareKeys = (a: LogKey, b: LogKey): number =>
  a.commitMicros - b.commitMicros || (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0) || a.revision - b.revision;

/**
 * Positions of rows read in log order from the start of the millisecond `from` on. Rows of one millisecond
 * are ranked as they come; the caller must start at the first row of a millisecond.
 */
export const rankInOrder = <Row extends LogKey>(rows: readonly Row[]): (Row & { readonly position: number })[] => {
  let millisecond = Number.NaN;
  let rank = 0;
  return rows.map((row) => {
    const ms = millisecondOf(row.commitMicros);
    rank = ms === millisecond ? rank + 1 : 0;
    millisecond = ms;
    return { ...row, position: positionOf(ms, rank) };
  });
};
