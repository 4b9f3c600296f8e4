// The stream guard, pure: every consumer that follows whole streams (projectors, the webhook fan-out,
// reactors, process managers) keeps, per stream, the last revision it handled, and judges each delivery
// against it. At or below: a duplicate (a redelivery, a replay, a crash before the ack), absorbed. More
// than one ahead: a gap (the bus handed over a later event before an earlier one), refused so that the
// earlier one is handled first. Exactly one ahead: new, handled, and the checkpoint moves with it.
import { struct, type RecordedEvent } from '@meridian/kernel';
import * as t from 'io-ts';

/** The last revision of a stream a consumer handled, and where in the log that event was. */
export const StreamCheckpoint = struct('StreamCheckpoint', { revision: t.number, globalPosition: t.number });
export type StreamCheckpoint = t.TypeOf<typeof StreamCheckpoint>;

export type GuardVerdict = 'new' | 'duplicate' | 'gap';

/**
 * Where a consumer starts a stream it has no checkpoint for. `beginning`: at revision 0 (a projector
 * builds from the whole history, and a rebuild reads it all). `first-seen`: at the first event it is handed
 * (a subscription made after a stream began cannot see its beginning; the webhook fan-out and the
 * reactions act on what happens from their start).
 */
export type StreamStart = 'beginning' | 'first-seen';

export type GuardedBatch = {
  /** One verdict per event, in the order given. */
  readonly verdicts: readonly GuardVerdict[];
  /** The checkpoints to write with the effects of the new events: one per stream that moved. */
  readonly checkpoints: ReadonlyMap<string, StreamCheckpoint>;
};

/**
 * Judges events in delivery order against the checkpoints as they are (`lastHandled` answers undefined
 * for a stream never handled). A stream with a gap is blocked for the rest of the batch: its later events
 * wait with it, so per-stream order survives any delivery order.
 */
export const guardStreams = (
  events: readonly Pick<RecordedEvent, 'streamId' | 'streamRevision' | 'globalPosition'>[],
  lastHandled: (streamId: string) => number | undefined,
  start: StreamStart,
): GuardedBatch => {
  const checkpoints = new Map<string, StreamCheckpoint>();
  const blocked = new Set<string>();
  const verdicts = events.map(({ streamId, streamRevision, globalPosition }): GuardVerdict => {
    if (blocked.has(streamId)) return 'gap';
    const last = checkpoints.get(streamId)?.revision ?? lastHandled(streamId) ?? (start === 'beginning' ? -1 : streamRevision - 1);
    if (streamRevision <= last) return 'duplicate';
    if (streamRevision > last + 1) {
      blocked.add(streamId);
      return 'gap';
    }
    checkpoints.set(streamId, { revision: streamRevision, globalPosition });
    return 'new';
  });
  return { verdicts, checkpoints };
};
