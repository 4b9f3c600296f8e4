// The event store port on EventStoreDB / KurrentDB, through @eventstore/db-client 6 (gRPC).
//
// Streams map one to one; the global log is $all without the server's own events; globalPosition is an
// event's commit position (mapping.ts says why a number holds it). The pieces: streams.ts (appends, request
// idempotency), reads.ts (stream reads), seen-streams.ts (what reads found, so appends need not scan),
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
import type { EventStore } from '@meridian/kernel';
import { headPosition, lastEventBefore, readLog } from './log.ts';
import { createSeenStreams } from './seen-streams.ts';
import { appendToStream, readStream, type StreamDeps } from './streams.ts';
import { subscribeToLog } from './subscription.ts';

export type EventStoreDbEventStoreOptions = {
  /** For example `esdb://localhost:2113?tls=false`: the value of EVENTSTORE_CONNECTION_STRING. */
  readonly connectionString: string;
  /** Most events one readAll call scans while looking for filtered events (default 50 000). */
  readonly maxScanPerRead?: number;
};

export const createEventStoreDbEventStore = ({ connectionString, maxScanPerRead = 50_000 }: EventStoreDbEventStoreOptions): EventStore => {
  const client = EventStoreDBClient.connectionString(connectionString);
  const streams: StreamDeps = { client, seen: createSeenStreams() };
  const running = new Set<() => void>();
  let closed = false;

  const open = () => {
    if (closed) throw new Error('the EventStoreDB event store is closed');
    return client;
  };

  return {
    append: async (request) => {
      open();
      return appendToStream(streams, request);
    },
    readStream: async (streamId, { fromRevision = 0 } = {}) => {
      open();
      return (await readStream(streams, streamId, fromRevision)).map((stored) => stored.event);
    },
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
