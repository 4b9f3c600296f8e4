// An event store in memory, for tests of code above the port. It passes the same contract suite as the
// real adapters, so a test that passes here means the same thing there.
import type { RecordedEvent } from '../envelope.ts';
import {
  matchesFilter,
  type AppendRequest,
  type AppendResult,
  type EventStore,
  type LogBatch,
  type ReadAllOptions,
  type RequestRecord,
  type SubscribeOptions,
} from '../event-store.ts';

export const createInMemoryEventStore = (now: () => Date = () => new Date()): EventStore => {
  const log: RecordedEvent[] = [];
  const streams = new Map<string, RecordedEvent[]>();
  // Each request id's first decided answer; set in the same synchronous step as the events, so first-wins.
  const requests = new Map<string, RequestRecord>();
  const waiters = new Set<() => void>();
  let closed = false;

  const appendNow = ({ streamId, events, expectedRevision, request }: AppendRequest): AppendResult => {
    const prior = request && requests.get(request.requestId);
    if (prior !== undefined) return { outcome: 'duplicate', record: structuredClone(prior) };
    const stream = streams.get(streamId) ?? [];
    const actual = stream.length === 0 ? undefined : stream.length - 1;
    const accepted =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && actual === undefined) ||
      (expectedRevision === 'stream_exists' && actual !== undefined) ||
      expectedRevision === actual;
    if (!accepted) return { outcome: 'wrong_expected_revision', streamId, expected: expectedRevision, actual: actual ?? 'no_stream' };
    if (events.some((event) => log.some((stored) => stored.eventId === event.eventId)))
      throw new Error('an event with this id is stored already');
    const recordedAt = now().toISOString();
    const recorded = events.map((event, index): RecordedEvent => ({
      ...structuredClone(event),
      streamId,
      streamRevision: stream.length + index,
      globalPosition: log.length + index + 1,
      recordedAt,
    }));
    log.push(...recorded);
    streams.set(streamId, [...stream, ...recorded]);
    const appended = recorded.map(({ eventId, type, streamRevision, globalPosition }) => ({
      eventId,
      type,
      streamRevision,
      globalPosition,
    }));
    const revision = stream.length + events.length - 1;
    if (request !== undefined)
      requests.set(request.requestId, {
        fingerprint: request.fingerprint,
        answer: { kind: 'appended', streamId, revision, events: appended },
      });
    for (const wake of [...waiters]) wake();
    return { outcome: 'appended', streamId, revision, events: appended };
  };

  const readAllNow = ({ after, batchSize = 500, filter }: ReadAllOptions): LogBatch => {
    const events: RecordedEvent[] = [];
    let position = after;
    for (const event of log) {
      if (event.globalPosition <= after) continue;
      if (matchesFilter(filter, event)) events.push(structuredClone(event));
      position = event.globalPosition;
      if (events.length === batchSize) return { events, position, endOfLog: position === log.length };
    }
    return { events, position: Math.max(position, after), endOfLog: true };
  };

  const waitForAppend = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve) => {
      const done = () => {
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });

  async function* subscribe({ signal, ...read }: SubscribeOptions): AsyncGenerator<LogBatch> {
    let after = read.after;
    while (!signal?.aborted && !closed) {
      const batch = readAllNow({ ...read, after });
      if (batch.position > after) {
        after = batch.position;
        yield batch;
      }
      if (batch.endOfLog) await waitForAppend(signal);
    }
  }

  return {
    // Asynchronous like a real store, so callers cannot come to rely on synchronous completion.
    append: async (request) => {
      await Promise.resolve();
      return appendNow(request);
    },
    findRequest: async (requestId) => structuredClone(requests.get(requestId)),
    recordDecision: async ({ requestId, fingerprint }, decision) => {
      await Promise.resolve();
      const prior = requests.get(requestId);
      if (prior !== undefined) return { record: structuredClone(prior), recorded: false };
      const record: RequestRecord = { fingerprint, answer: structuredClone(decision) };
      requests.set(requestId, record);
      return { record: structuredClone(record), recorded: true };
    },
    readStream: async (streamId, { fromRevision = 0 } = {}) => structuredClone((streams.get(streamId) ?? []).slice(fromRevision)),
    readAll: async (read) => readAllNow(read),
    subscribe,
    headPosition: async () => log.length,
    close: async () => {
      closed = true;
      for (const wake of [...waiters]) wake();
    },
  };
};
