// One stream: reading it, and appending to it with expected revisions and request idempotency.
//
// Idempotency. The kernel derives event ids from the request id (command-handler.ts, eventIdsFor), so a
// retried request proposes the very events it proposed before, and EventStoreDB's own idempotence check
// (by event id, at the expected revision) refuses to store them twice. On top of that this adapter records
// the request in each event's metadata and, when an append carries a request, looks for it in the stream
// before appending and again after a conflict, answering 'duplicate' with the first append's result.
// A retry that races the first append is told apart by a per-call append id: EventStoreDB acknowledges a
// deduplicated write like a real one, but the stored events then carry the other call's append id.
//
// What cannot be detected: a request id reused for a different stream. The request is only recorded in the
// stream it was appended to, and EventStoreDB has no index from a request id to its stream (the embedded
// store keeps a global table for that). Such a reuse appends as a new request. Looking for the request
// also reads the whole stream, which is fine for aggregates' streams, which stay short.
import {
  BACKWARDS,
  END,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendResult as EsdbAppendResult,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import type { AppendRequest, AppendResult, ExpectedRevision, NewEvent, RequestIdentity } from '@meridian/kernel';
import { randomUUID } from 'node:crypto';
import {
  actualRevisionOf,
  appendedEventOf,
  esdbExpectedRevisionOf,
  eventDataOf,
  globalPositionOf,
  requestIdentityOf,
  revisionAccepts,
  storedEventOf,
  type StoredEvent,
  type StoredRequest,
} from './mapping.ts';

const isMissingStream = (error: unknown): boolean => error instanceof StreamNotFoundError;

/** A stream's events from a revision, in order; empty when the stream does not exist. */
export const readStoredStream = async (
  client: EventStoreDBClient,
  streamId: string,
  fromRevision = 0,
  maxCount?: number,
): Promise<StoredEvent[]> => {
  const stored: StoredEvent[] = [];
  try {
    const read = client.readStream(streamId, { fromRevision: BigInt(fromRevision), ...(maxCount !== undefined && { maxCount }) });
    for await (const { event } of read)
      if (event !== undefined) stored.push(storedEventOf(event, globalPositionOf(event.position, `${streamId}@${event.revision}`)));
  } catch (error) {
    // The client reports a missing stream as an error of the read; for the port it is an empty stream.
    if (isMissingStream(error)) return [];
    throw error;
  }
  return stored;
};

/** The revision of a stream's last event, read backwards from its end. */
export const currentRevisionOf = async (client: EventStoreDBClient, streamId: string): Promise<number | 'no_stream'> => {
  try {
    for await (const { event } of client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))
      if (event !== undefined) return Number(event.revision);
  } catch (error) {
    if (!isMissingStream(error)) throw error;
  }
  return 'no_stream';
};

const duplicateOf = (streamId: string, prior: readonly StoredEvent[], request: RequestIdentity): AppendResult => {
  const first = requestIdentityOf(prior[0]!);
  const revision = prior[prior.length - 1]!.event.streamRevision;
  const fingerprint = first?.requestId === request.requestId ? (first.fingerprint ?? '') : '';
  return { outcome: 'duplicate', record: { fingerprint, answer: { kind: 'appended', streamId, revision, events: prior.map((stored) => appendedEventOf(stored.event)) } } };
};

/** The first append of this request to this stream, if there was one. */
const priorAppend = async (client: EventStoreDBClient, streamId: string, request: RequestIdentity): Promise<AppendResult | undefined> => {
  const prior = (await readStoredStream(client, streamId)).filter((stored) => requestIdentityOf(stored)?.requestId === request.requestId);
  return prior.length === 0 ? undefined : duplicateOf(streamId, prior, request);
};

/** A refused append; unless a concurrent retry of the same request is what got in first. */
const refused = async (
  client: EventStoreDBClient,
  { streamId, expectedRevision, request }: AppendRequest,
  actual: number | 'no_stream',
): Promise<AppendResult> =>
  (request && (await priorAppend(client, streamId, request))) ?? { outcome: 'wrong_expected_revision', streamId, expected: expectedRevision, actual };

const sameIds = (stored: readonly StoredEvent[], events: readonly NewEvent[]) =>
  stored.length === events.length && stored.every((s, index) => s.event.eventId === events[index]?.eventId);

/**
 * The acknowledged events as stored. The append's reply names one log position for the whole write, so the
 * events are read back for each one's position. A deduplicated write is acknowledged with the revisions of
 * the events first written; should a server answer with the stream's current revision instead, the events
 * are found by id.
 */
const storedAppend = async (client: EventStoreDBClient, streamId: string, events: readonly NewEvent[], lastRevision: bigint) => {
  const range = await readStoredStream(client, streamId, Math.max(0, Number(lastRevision) - events.length + 1), events.length);
  if (sameIds(range, events)) return range;
  const ids = new Set(events.map((event) => event.eventId));
  const found = (await readStoredStream(client, streamId)).filter((stored) => ids.has(stored.event.eventId));
  if (sameIds(found, events)) return found;
  throw new Error(`${streamId}: an append was acknowledged at revision ${lastRevision}, but the stream does not hold its events`);
};

const acknowledged = async (
  client: EventStoreDBClient,
  { streamId, events, request }: AppendRequest,
  reply: EsdbAppendResult,
  recorded: StoredRequest | undefined,
): Promise<AppendResult> => {
  const stored = await storedAppend(client, streamId, events, reply.nextExpectedRevision);
  // EventStoreDB recognised the event ids and wrote nothing: another call of this request wrote them.
  if (request !== undefined && stored[0]?.request?.appendId !== recorded?.appendId) return duplicateOf(streamId, stored, request);
  return {
    outcome: 'appended',
    streamId,
    revision: stored[stored.length - 1]!.event.streamRevision,
    events: stored.map((s) => appendedEventOf(s.event)),
  };
};

/** An empty append writes nothing; it still answers whether the expectation holds. */
const appendNothing = async (client: EventStoreDBClient, streamId: string, expected: ExpectedRevision): Promise<AppendResult> => {
  const actual = await currentRevisionOf(client, streamId);
  return revisionAccepts(expected, actual)
    ? { outcome: 'appended', streamId, revision: actual === 'no_stream' ? -1 : actual, events: [] }
    : { outcome: 'wrong_expected_revision', streamId, expected, actual };
};

export const appendToStream = async (client: EventStoreDBClient, append: AppendRequest): Promise<AppendResult> => {
  const { streamId, events, expectedRevision, request } = append;
  const expected = esdbExpectedRevisionOf(expectedRevision);
  if (events.length === 0) return appendNothing(client, streamId, expectedRevision);
  const prior = request && (await priorAppend(client, streamId, request));
  if (prior) return prior;

  const recorded = request && { requestId: request.requestId, fingerprint: request.fingerprint, appendId: randomUUID() };
  let reply: EsdbAppendResult;
  try {
    reply = await client.appendToStream(streamId, events.map((event) => eventDataOf(event, recorded)), { expectedRevision: expected });
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return refused(client, append, actualRevisionOf(error.actualVersion));
    throw error;
  }
  // With throwOnAppendFailure=false in the connection string a conflict is a reply, and its revision
  // field is not the stream's: ask the stream.
  if (!reply.success) return refused(client, append, await currentRevisionOf(client, streamId));
  return acknowledged(client, append, reply, recorded);
};
