// For unit tests only: a fake of @eventstore/db-client's stream reads and appends, standing in for an
// EventStoreDB server where none can run (the contract suite, event-store.int.test.ts, runs against a real
// one when configured). It models what the adapter relies on, as the server's own code does it:
// - appends commit one at a time, a few milliseconds each, checked against the expected revision when they
//   commit;
// - the idempotency check: ids proposed at an exact revision or `no_stream` are compared with the events
//   after that revision; with `any` or `stream_exists`, ids are recognised anywhere in the stream (the
//   server's cache of recent writes, never evicted here);
// - a repeat proposed while the first write of its ids is still committing is dropped, and its caller gets
//   a timeout once the first write is done (the server's IdempotentNotReady);
// - soft-deleted streams (they read as missing, `no_stream` recreates them with revisions continuing),
//   streams that have only metadata, tombstoned streams, the maximum append size;
// - a follower that has not applied the latest write yet, for reads that do not require the leader.
// Faults can be injected: an append that times out before or after it was written.
import {
  BACKWARDS,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  WrongExpectedVersionError,
  convertToCommandError,
  type AppendResult,
  type AppendToStreamOptions,
  type EventData,
  type JSONRecordedEvent,
  type ReadStreamOptions,
} from '@eventstore/db-client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamsClient } from './reads.ts';

type Stream = {
  events: JSONRecordedEvent[];
  /** Events before this revision are gone (soft delete). */
  truncateBefore: number;
  metadata: boolean;
  tombstoned: boolean;
};

export type Read = { readonly streamId: string; readonly options: ReadStreamOptions };

export type AppendFault = 'timeout before writing' | 'timeout after writing';

export type FakeStreamsClient = StreamsClient & {
  readonly reads: Read[];
  readonly appends: () => number;
  readonly events: (streamId: string) => readonly JSONRecordedEvent[];
  readonly failNextAppend: (fault: AppendFault) => void;
  readonly softDelete: (streamId: string) => void;
  readonly tombstone: (streamId: string) => void;
  readonly setMetadata: (streamId: string) => void;
  /** Reads without `requiresLeader` go to a follower that lags one write behind. */
  readonly lagFollower: () => void;
  /** The next read that requires the leader reaches a follower, which answers NotLeaderError. */
  readonly notLeaderOnce: () => void;
};

const notLeader = () =>
  convertToCommandError(
    Object.assign(new Error('Leader info available'), {
      code: 5,
      details: 'Leader info available',
      metadata: { getMap: () => ({ exception: 'not-leader', 'leader-endpoint-host': '127.0.0.1', 'leader-endpoint-port': '2113' }) },
    }),
  );

export const fakeStreamsClient = ({ commitMs = 3, maxAppendSize = 1_048_576 } = {}): FakeStreamsClient => {
  const streams = new Map<string, Stream>();
  const reads: Read[] = [];
  let appends = 0;
  let position = 1_000;
  let commits: Promise<unknown> = Promise.resolve();
  const committing = new Map<string, Promise<unknown>>();
  const faults: AppendFault[] = [];
  let followerSnapshot: Map<string, JSONRecordedEvent[]> | undefined;
  let laggingFollower = false;
  let notLeaderPending = false;

  const streamOf = (name: string): Stream => {
    const existing = streams.get(name);
    if (existing !== undefined) return existing;
    const created: Stream = { events: [], truncateBefore: 0, metadata: false, tombstoned: false };
    streams.set(name, created);
    return created;
  };
  const visible = (stream: Stream) => stream.events.filter((e) => Number(e.revision) >= stream.truncateBefore);
  const lastRevision = (stream: Stream) => (visible(stream).length === 0 ? -1 : Number(stream.events[stream.events.length - 1]!.revision));
  const snapshot = () => new Map([...streams].map(([name, stream]) => [name, visible(stream)]));

  const idempotent = (stream: Stream, data: readonly EventData[], expected: AppendToStreamOptions['expectedRevision']) => {
    const ids = data.map((d) => d.id);
    if (expected === 'any' || expected === 'stream_exists') {
      const found = stream.events.filter((e) => ids.includes(e.id));
      return found.length === ids.length ? found : undefined;
    }
    const after = expected === 'no_stream' ? 0 : Number(expected) + 1;
    const found = stream.events.filter((e) => Number(e.revision) >= after).slice(0, ids.length);
    return found.length === ids.length && found.every((e, i) => e.id === ids[i]) ? found : undefined;
  };

  const conflict = (stream: Stream, expected: AppendToStreamOptions['expectedRevision'] = 'any') => {
    const current = lastRevision(stream);
    const accepted =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && (current >= 0 || stream.metadata)) ||
      (typeof expected === 'bigint' && Number(expected) === current);
    return accepted ? undefined : current;
  };

  const commit = (name: string, data: readonly EventData[], options: AppendToStreamOptions): AppendResult => {
    const stream = streamOf(name);
    if (stream.tombstoned) throw StreamDeletedError.fromStreamName(name);
    const repeated = idempotent(stream, data, options.expectedRevision);
    if (repeated !== undefined)
      return {
        success: true,
        nextExpectedRevision: repeated[repeated.length - 1]!.revision,
        position: repeated[repeated.length - 1]!.position,
      };
    const current = conflict(stream, options.expectedRevision);
    if (current !== undefined)
      throw new WrongExpectedVersionError(undefined, {
        streamName: name,
        expected: options.expectedRevision ?? 'any',
        current: current === -1 ? 'no_stream' : BigInt(current),
      });
    if (laggingFollower) followerSnapshot = snapshot();
    let revision = Math.max(lastRevision(stream), stream.truncateBefore - 1);
    for (const event of data) {
      revision++;
      position += 100 + Math.floor(Math.random() * 100);
      stream.events.push({
        id: event.id,
        streamId: name,
        type: event.type,
        revision: BigInt(revision),
        created: new Date(),
        isJson: true,
        data: JSON.parse(JSON.stringify(event.data)),
        metadata: JSON.parse(JSON.stringify(event.metadata)),
        position: { commit: BigInt(position), prepare: BigInt(position) },
      });
    }
    const last = stream.events[stream.events.length - 1]!;
    return { success: true, nextExpectedRevision: last.revision, position: last.position };
  };

  const appendToStream = async (name: string, data: EventData[], options: AppendToStreamOptions = {}): Promise<AppendResult> => {
    appends++;
    const size = data.reduce((sum, d) => sum + JSON.stringify(d.data).length, 0);
    if (size > maxAppendSize) throw MaxAppendSizeExceededError.fromMaxAppendSize(maxAppendSize);
    const first = data.map((d) => committing.get(d.id)).find((pending) => pending !== undefined);
    if (first !== undefined) {
      // IdempotentNotReady: dropped; the caller hears of it when its write would have timed out.
      await first;
      throw new DeadlineExceededError();
    }
    const fault = faults.shift();
    if (fault === 'timeout before writing') {
      await sleep(commitMs);
      throw new TimeoutError();
    }
    const done = commits.then(async () => {
      await sleep(commitMs);
      return commit(name, data, options);
    });
    commits = done.catch(() => undefined);
    for (const d of data) committing.set(d.id, commits);
    try {
      const result = await done;
      if (fault === 'timeout after writing') throw new TimeoutError();
      return result;
    } finally {
      for (const d of data) if (committing.get(d.id) === commits) committing.delete(d.id);
    }
  };

  async function* readStream(name: string, options: ReadStreamOptions = {}) {
    reads.push({ streamId: name, options });
    if (options.requiresLeader === true && notLeaderPending) {
      notLeaderPending = false;
      throw notLeader();
    }
    const meta = name.startsWith('$$') ? streams.get(name.slice(2)) : undefined;
    if (meta !== undefined) {
      if (!meta.metadata) throw new StreamNotFoundError(undefined, name);
      yield {
        event: {
          id: 'meta',
          streamId: name,
          type: '$metadata',
          revision: 0n,
          created: new Date(),
          isJson: true,
          data: {},
          metadata: {},
        } satisfies JSONRecordedEvent,
      };
      return;
    }
    const stream = streams.get(name);
    if (stream?.tombstoned) throw StreamDeletedError.fromStreamName(name);
    const events =
      options.requiresLeader !== true && followerSnapshot !== undefined
        ? (followerSnapshot.get(name) ?? [])
        : stream === undefined
          ? []
          : visible(stream);
    if (events.length === 0) throw new StreamNotFoundError(undefined, name);
    const backwards = options.direction === BACKWARDS;
    const from = typeof options.fromRevision === 'bigint' ? Number(options.fromRevision) : backwards ? Infinity : 0;
    const chosen = backwards
      ? events.filter((e) => Number(e.revision) <= from).reverse()
      : events.filter((e) => Number(e.revision) >= from);
    for (const event of chosen.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER))) yield { event };
  }

  return {
    appendToStream,
    readStream,
    reads,
    appends: () => appends,
    events: (name) => streams.get(name)?.events ?? [],
    failNextAppend: (fault) => void faults.push(fault),
    softDelete: (name) => {
      const stream = streamOf(name);
      stream.truncateBefore = lastRevision(stream) + 1;
      stream.metadata = true;
    },
    tombstone: (name) => void (streamOf(name).tombstoned = true),
    setMetadata: (name) => void (streamOf(name).metadata = true),
    lagFollower: () => {
      laggingFollower = true;
    },
    notLeaderOnce: () => {
      notLeaderPending = true;
    },
  };
};
