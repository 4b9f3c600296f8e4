// The event store port on Cloud Spanner (and its emulator). The pieces: append.ts (the read-write
// transaction of an append), requests.ts (request ids), log.ts (streams, the log, the head, with
// positions from positions.ts), chain.ts and sealer.ts (tamper evidence), schema.ts (the tables).
//
// The log is the commit order, read in strong snapshots: a catch-up subscription asks for everything after
// its position, and the snapshot's read timestamp says how far it has seen, so nothing committed later can
// land behind it (no gap) and an idle log still advances its checkpoint. Other processes' appends are
// noticed by polling (a strong read of the log's tail every `pollIntervalMs`); this store's own appends
// wake its subscriptions at once.
import type { AppendResult, EventStore, LogBatch, RequestRecord, SubscribeOptions } from '@meridian/kernel';
import { setTimeout as delay } from 'node:timers/promises';
import { writeAppend, writeDecision } from './append.ts';
import { openSpanner, provisionSpanner, type SpannerLocation } from './client.ts';
import { appendedPositions, headPosition, positionsOf, readLogBatch, readStreamRows, recordedOf } from './log.ts';
import { createPositionCache } from './position-cache.ts';
import { withSnapshot, type Snapshot } from './read.ts';
import { findRequestRecord, type StoredRequest } from './requests.ts';
import { spannerHeadOf } from './sealer.ts';
import { concurrently, oneAtATime } from './transactions.ts';

export type SpannerEventStoreOptions = SpannerLocation & {
  /** Create what is missing (instance on the emulator, database, tables) before the first operation. */
  readonly provision?: boolean;
  /** How often a subscription at the end of the log looks for other processes' appends (default 50 ms). */
  readonly pollIntervalMs?: number;
  /** Least time between two batches that only move a subscription's position (default 1 s). */
  readonly idleBatchEveryMs?: number;
};

export const createSpannerEventStore = (options: SpannerEventStoreOptions): EventStore => {
  const { database, close } = openSpanner(options);
  // On the emulator, one read-write transaction at a time (transactions.ts says why).
  const gate = options.emulatorHost === undefined ? concurrently : oneAtATime();
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const idleBatchEveryMs = options.idleBatchEveryMs ?? 1_000;
  const wakers = new Set<() => void>();
  let closed = false;

  // Every operation waits for provisioning; a failed one fails them all, with its reason.
  const provisioned = options.provision === true ? provisionSpanner(options) : Promise.resolve();
  provisioned.catch(() => undefined);
  const open = async () => {
    if (closed) throw new Error('the Spanner event store is closed');
    await provisioned;
    return database;
  };
  const inSnapshot = async <A>(read: (snapshot: Snapshot) => Promise<A>): Promise<A> => withSnapshot(await open(), read);

  const positions = createPositionCache();

  /** The events a request's append wrote, with their positions (now, or as a retry finds them). */
  const appendedBy = ({
    streamId,
    firstRevision,
    lastRevision,
  }: {
    readonly streamId: string;
    readonly firstRevision: number;
    readonly lastRevision: number;
  }) =>
    inSnapshot(async (snapshot) => {
      const rows = await readStreamRows(snapshot, streamId, firstRevision, lastRevision);
      const at = await appendedPositions(snapshot, streamId, firstRevision, lastRevision);
      return rows.map((row, index) => {
        positions.set(streamId, row.revision, at[index]!);
        return { eventId: row.event_id, type: row.type, streamRevision: row.revision, globalPosition: at[index]! };
      });
    });

  /** The positions of what an append just wrote: its events are known, only the first rank is counted. */
  const positionsOfAppend = async (
    { streamId, events }: Parameters<EventStore['append']>[0],
    firstRevision: number,
    lastRevision: number,
  ) => {
    if (events.length === 0) return [];
    const at = await inSnapshot((snapshot) => appendedPositions(snapshot, streamId, firstRevision, lastRevision));
    return events.map((event, index) => {
      positions.set(streamId, firstRevision + index, at[index]!);
      return { eventId: event.eventId, type: event.type, streamRevision: firstRevision + index, globalPosition: at[index]! };
    });
  };

  /** A stream's events with their positions: remembered ones, and the others counted in the same snapshot. */
  const readStream = (streamId: string, fromRevision: number) =>
    inSnapshot(async (snapshot) => {
      const rows = await readStreamRows(snapshot, streamId, fromRevision);
      const known = rows.map((row) => positions.get(streamId, row.revision));
      const counted = await positionsOf(
        snapshot,
        streamId,
        rows.filter((_, index) => known[index] === undefined).map((row) => row.revision),
      );
      return rows.map((row, index) => {
        const position = known[index] ?? counted.get(row.revision);
        if (position === undefined) throw new Error(`no position for ${streamId} revision ${row.revision}`);
        positions.set(streamId, row.revision, position);
        return recordedOf(row, position);
      });
    });

  const append = async (request: Parameters<EventStore['append']>[0]): Promise<AppendResult> => {
    const outcome = await writeAppend(await open(), gate, request);
    switch (outcome.kind) {
      case 'wrong_expected_revision':
        return {
          outcome: 'wrong_expected_revision',
          streamId: request.streamId,
          expected: request.expectedRevision,
          actual: outcome.actual,
        };
      case 'duplicate':
        return { outcome: 'duplicate', record: await recordOf(outcome.prior) };
      case 'appended': {
        for (const wake of [...wakers]) wake();
        return {
          outcome: 'appended',
          streamId: request.streamId,
          revision: outcome.lastRevision,
          events: await positionsOfAppend(request, outcome.firstRevision, outcome.lastRevision),
        };
      }
    }
  };

  /** A stored request as the port's record: a decision as it was decided, an append with its events' positions. */
  const recordOf = async (stored: StoredRequest): Promise<RequestRecord> =>
    stored.kind === 'decided'
      ? { fingerprint: stored.fingerprint, answer: stored.decision }
      : {
          fingerprint: stored.fingerprint,
          answer: { kind: 'appended', streamId: stored.streamId, revision: stored.lastRevision, events: await appendedBy(stored) },
        };

  const findRequest = async (requestId: string): Promise<RequestRecord | undefined> => {
    const stored = await inSnapshot((snapshot) => findRequestRecord(snapshot, requestId));
    return stored === undefined ? undefined : recordOf(stored);
  };

  const recordDecision: EventStore['recordDecision'] = async (request, decision) => {
    const { stored, recorded } = await writeDecision(await open(), gate, request, decision);
    return { record: await recordOf(stored), recorded };
  };

  /** Resolves after the poll interval, on an append through this store, or when the signal aborts. */
  const waitForAppend = async (signal: AbortSignal | undefined) => {
    const woken = new AbortController();
    const wake = () => woken.abort();
    wakers.add(wake);
    try {
      await delay(pollIntervalMs, undefined, {
        signal: signal === undefined ? woken.signal : AbortSignal.any([signal, woken.signal]),
      }).catch(() => undefined);
    } finally {
      wakers.delete(wake);
    }
  };

  async function* subscribe({ signal, ...read }: SubscribeOptions): AsyncGenerator<LogBatch> {
    let after = read.after;
    let yieldedAt = Date.now();
    while (!signal?.aborted && !closed) {
      const batch = await inSnapshot((snapshot) => readLogBatch(snapshot, { ...read, after }));
      // Time alone moves the position of an idle log: that is worth a batch only now and then.
      const moved = batch.position > after && (!batch.endOfLog || Date.now() - yieldedAt >= idleBatchEveryMs);
      if (batch.events.length > 0 || moved) {
        after = batch.position;
        yieldedAt = Date.now();
        yield batch;
      }
      if (batch.endOfLog) await waitForAppend(signal);
    }
  }

  return {
    append,
    findRequest,
    recordDecision,
    readStream: (streamId, { fromRevision = 0 } = {}) => readStream(streamId, fromRevision),
    readAll: (read) => inSnapshot((snapshot) => readLogBatch(snapshot, read)),
    subscribe,
    headPosition: () => inSnapshot(headPosition),
    // The sealed global chain's head, for the archive's anchors (sealer.ts).
    chainHead: () => inSnapshot(spannerHeadOf),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const wake of [...wakers]) wake();
      await close();
    },
  };
};
