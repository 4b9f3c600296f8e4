// The event store port on EventStoreDB / KurrentDB, through @eventstore/db-client 6 (gRPC).
//
// Streams map one to one; the global log is $all without the server's own events; globalPosition is an
// event's commit position (mapping.ts says why a number holds it). The pieces: streams.ts (plain appends),
// requests.ts (request records, first-wins: appends with a request, decisions), reads.ts (stream reads),
// log.ts (readAll, head), subscription.ts (catch-up subscriptions).
//
// Positions are only meaningful to the server that produced them: a consumer's checkpoint from the
// embedded store is not a place in this log. An append reads what it wrote from the leader (reads.ts); the
// port's reads follow the connection's node preference, and should reach the leader too (the client's
// default), so that a command decides on the latest events. The user must be allowed to read $all (by
// default only $admins are). The database should hold Meridian's events only: any other non-system event
// fails reads of the log, as an event that no longer decodes would.
// Needs EventStoreDB 22.10 or later (stream reads report positions from 22.6 on), or KurrentDB 25 or later.
import { EventStoreDBClient } from '@eventstore/db-client';
import type { AppendResult, EventStore } from '@meridian/kernel';
import { headPosition, lastEventBefore, readLog } from './log.ts';
import { hasMetadata, readStoredStream, type StreamsClient } from './reads.ts';
import { createRequestRecords } from './requests.ts';
import { seenRevisions } from './seen-revisions.ts';
import { appendToStream, currentRevisionOf, writeToStream, type PlainAppend } from './streams.ts';
import { subscribeToLog } from './subscription.ts';

export type EventStoreDbEventStoreOptions = {
  /** For example `esdb://localhost:2113?tls=false`: the value of EVENTSTORE_CONNECTION_STRING. */
  readonly connectionString: string;
  /** Most events one readAll call scans while looking for filtered events (default 50 000). */
  readonly maxScanPerRead?: number;
};

/**
 * The stream side of the port (appends with and without a request, decisions, stream reads) over the
 * client's stream calls: a fake of them in the unit tests, the real client here.
 */
export const streamStore = (client: () => StreamsClient): Pick<EventStore, 'append' | 'findRequest' | 'recordDecision' | 'readStream'> => {
  // Where this process saw each stream, so that an append with a request after a read of its stream need
  // not read the stream's head again (requests.ts, seen-revisions.ts).
  const seen = seenRevisions();
  const noted = (result: AppendResult): AppendResult => {
    if (result.outcome === 'appended' && result.revision >= 0) seen.note(result.streamId, result.revision);
    if (result.outcome === 'wrong_expected_revision' && result.actual !== 'no_stream') seen.note(result.streamId, result.actual);
    return result;
  };
  const appendPlain = async (append: PlainAppend) => noted(await appendToStream(client(), append));
  // An append's own reads ask the leader (reads.ts): a request's record must see what was just written.
  const requests = createRequestRecords({
    append: appendPlain,
    write: (append) => writeToStream(client(), append),
    read: async (streamId, fromRevision, maxCount) =>
      (await readStoredStream(client(), streamId, { fromRevision, fromLeader: true, ...(maxCount !== undefined && { maxCount }) })).map(
        (stored) => stored.event,
      ),
    revision: (streamId) => currentRevisionOf(client(), streamId),
    hasMetadata: (streamId) => hasMetadata(client(), streamId),
    seenRevision: seen.get,
  });
  return {
    append: async ({ request, ...append }) =>
      request === undefined ? appendPlain(append) : noted(await requests.append({ ...append, request })),
    findRequest: requests.findRequest,
    recordDecision: requests.recordDecision,
    readStream: async (streamId, { fromRevision = 0 } = {}) => {
      const events = (await readStoredStream(client(), streamId, { fromRevision })).map((stored) => stored.event);
      const last = events[events.length - 1];
      if (last !== undefined) seen.note(streamId, last.streamRevision);
      return events;
    },
  };
};

export const createEventStoreDbEventStore = ({ connectionString, maxScanPerRead = 50_000 }: EventStoreDbEventStoreOptions): EventStore => {
  const client = EventStoreDBClient.connectionString(connectionString);
  const running = new Set<() => void>();
  let closed = false;

  const open = () => {
    if (closed) throw new Error('the EventStoreDB event store is closed');
    return client;
  };

  const streams = streamStore(() => open());
  return {
    ...streams,
    readAll: async (options) => readLog(open(), options, maxScanPerRead),
    subscribe: (options) =>
      subscribeToLog(
        {
          subscribeToAll: (subscribeOptions) => client.subscribeToAll(subscribeOptions),
          lastEventBefore: (commit) => lastEventBefore(client, commit),
          readAll: (readOptions) => readLog(client, readOptions, maxScanPerRead),
          track: (stop) => {
            running.add(stop);
            return () => running.delete(stop);
          },
          closed: () => closed,
        },
        options,
      ),
    headPosition: async () => headPosition(open()),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const stop of [...running]) stop();
      await client.dispose();
    },
  };
};
