// What this process has read of each stream: how far, and which requests appended the events it saw.
//
// An append with a request must not repeat a request the stream already holds. EventStoreDB has no index
// from a request to its events, so the stream has to be looked through; but the command handler has just
// read the whole stream through this store to decide the command, and an append at the revision it read
// cannot succeed unless the stream is still exactly what it saw. Remembering what reads found lets such an
// append go out without reading the stream again; only the part not yet seen (none, usually) is read.
//
// Events do not change once written, so what was seen stays true, with one exception: events removed
// (truncation, deletion, scavenging) are remembered after they are gone. So a request remembered here is
// looked for in the stream before it is answered as a duplicate, and a read of the whole stream replaces
// what was remembered of it.
import { requestIdentityOf, type StoredEvent } from './mapping.ts';

export type SeenStream = {
  /** Every visible event up to this revision has been seen (-1: none). */
  readonly revision: number;
  readonly requests: ReadonlySet<string>;
};

export type SeenStreams = {
  /** Records events read from `fromRevision` on, in order, without a gap (from 0: the whole stream). */
  readonly observe: (streamId: string, fromRevision: number, events: readonly StoredEvent[]) => void;
  readonly lookup: (streamId: string) => SeenStream | undefined;
};

const requestsOf = (events: readonly StoredEvent[]) =>
  events.flatMap((stored) => {
    const request = requestIdentityOf(stored)?.requestId;
    return request === undefined ? [] : [request];
  });

/** Remembers up to `capacity` streams, the least recently used forgotten first. */
export const createSeenStreams = (capacity = 10_000): SeenStreams => {
  const streams = new Map<string, SeenStream>();
  const remember = (streamId: string, seen: SeenStream) => {
    streams.delete(streamId);
    streams.set(streamId, seen);
    if (streams.size > capacity) streams.delete(streams.keys().next().value ?? streamId);
  };
  return {
    observe: (streamId, fromRevision, events) => {
      const known = fromRevision === 0 ? undefined : streams.get(streamId);
      // A read that starts past what was seen leaves a gap: it proves nothing about the events before it.
      if (fromRevision > 0 && (known === undefined || known.revision < fromRevision - 1)) return;
      const last = events[events.length - 1]?.event.streamRevision ?? fromRevision - 1;
      remember(streamId, {
        revision: Math.max(known?.revision ?? -1, last),
        requests: new Set([...(known?.requests ?? []), ...requestsOf(events)]),
      });
    },
    lookup: (streamId) => streams.get(streamId),
  };
};
