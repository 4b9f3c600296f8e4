// Appending to one stream, with expected revisions and request idempotency.
//
// Idempotency. The kernel derives event ids from the request id (command-handler.ts, eventIdsFor), so a
// retried request proposes the very events it proposed before. EventStoreDB checks proposed ids against
// what it stored, but how well depends on the expectation: at an exact revision or `no_stream` it compares
// them with the events stored after that revision, read from its index, and acknowledges a repeat without
// writing it; with `any` or `stream_exists` it only recognises ids still in an in-memory cache of recent
// writes (a few MiB), so a late repeat of such an append is stored again. And while the first write of
// those ids is still in flight, it drops the repeat and lets it time out (the client's DeadlineExceededError
// or TimeoutError). So this adapter does not rest on it. It records the request in each event's metadata,
// with a per-call append id, and decides from what the stream holds:
// - before appending, only where the append could otherwise repeat the request unnoticed: the events its
//   expectation covers that this process has not read yet (seen-streams.ts; after the command handler's
//   read there are none, and a `no_stream` append covers none);
// - after a conflict, which a concurrent retry of the same request may have caused;
// - after an acknowledgement, whose events are read back for their positions: if they carry another
//   call's append id, EventStoreDB recognised a repeat and this call wrote nothing;
// - after an error that leaves the outcome unknown (timeout, unavailable, cancelled): the events are
//   there (appended, or a duplicate of another call) or the error stands.
//
// What cannot be detected: a request id reused for a different stream. The request is only recorded in the
// stream it was appended to, and EventStoreDB has no index from a request id to its stream (the embedded
// store keeps a global table for that). Such a reuse appends as a new request.
import {
  CancelledError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendResult as EsdbAppendResult,
} from '@eventstore/db-client';
import { permanent, transient, type AppendRequest, type AppendResult, type ExpectedRevision, type NewEvent, type RequestIdentity } from '@meridian/kernel';
import { randomUUID } from 'node:crypto';
import {
  actualRevisionOf,
  appendedEventOf,
  esdbExpectedRevisionOf,
  eventDataOf,
  requestIdentityOf,
  revisionAccepts,
  type StoredEvent,
  type StoredRequest,
} from './mapping.ts';
import { hasMetadata, readStoredStream, streamStateOf, type StreamRead, type StreamsClient } from './reads.ts';
import type { SeenStreams } from './seen-streams.ts';

export type StreamDeps = {
  readonly client: StreamsClient;
  readonly seen: SeenStreams;
};

/** A read that also records what it saw. */
const read = async ({ client, seen }: StreamDeps, streamId: string, options: StreamRead = {}) => {
  const stored = await readStoredStream(client, streamId, options);
  seen.observe(streamId, options.fromRevision ?? 0, stored);
  return stored;
};

/** The port's read of a stream. */
export const readStream = (deps: StreamDeps, streamId: string, fromRevision = 0) => read(deps, streamId, { fromRevision });

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The client's errors that mean "the write may or may not have happened". */
const outcomeUnknown = (error: unknown) =>
  error instanceof TimeoutError || error instanceof DeadlineExceededError || error instanceof UnavailableError || error instanceof CancelledError;

const deletedStream = (streamId: string, cause?: unknown) =>
  permanent(`${streamId} was deleted for good (tombstoned): nothing can be appended to it again`, cause);

/** Failures no retry can mend, tagged so a consumer dead-letters at once instead of retrying. */
const portErrorOf = (streamId: string, error: unknown): unknown => {
  if (error instanceof StreamDeletedError) return deletedStream(streamId, error);
  if (error instanceof MaxAppendSizeExceededError)
    return permanent(`${streamId}: the append exceeds the server's maximum append size (${error.maxAppendSize} bytes)`, error);
  return error;
};

const ofRequest = (stored: readonly StoredEvent[], request: RequestIdentity) =>
  stored.filter((s) => requestIdentityOf(s)?.requestId === request.requestId);

const duplicateOf = (streamId: string, prior: readonly StoredEvent[], request: RequestIdentity): AppendResult => {
  const first = requestIdentityOf(prior[0]!);
  return {
    outcome: 'duplicate',
    streamId,
    revision: prior[prior.length - 1]!.event.streamRevision,
    events: prior.map((stored) => appendedEventOf(stored.event)),
    sameRequest: first?.requestId === request.requestId && first.fingerprint === request.fingerprint,
  };
};

const appendedOf = (streamId: string, stored: readonly StoredEvent[]): AppendResult => ({
  outcome: 'appended',
  streamId,
  revision: stored[stored.length - 1]!.event.streamRevision,
  events: stored.map((s) => appendedEventOf(s.event)),
});

/** The first append of this request to this stream, if there was one: a scan of the whole stream. */
const priorAppend = async (deps: StreamDeps, streamId: string, request: RequestIdentity): Promise<AppendResult | undefined> => {
  const prior = ofRequest(await read(deps, streamId, { fromLeader: true }), request);
  return prior.length > 0 ? duplicateOf(streamId, prior, request) : undefined;
};

/**
 * Before an append with a request: an earlier append of it among the events the expectation covers. What
 * this process already read of the stream is not read again.
 */
const priorUnseen = async (deps: StreamDeps, { streamId, expectedRevision }: AppendRequest, request: RequestIdentity) => {
  // The stream must not exist: if it does, the append conflicts, and the conflict is looked into.
  if (expectedRevision === 'no_stream') return undefined;
  const seen = deps.seen.lookup(streamId);
  if (seen?.requests.has(request.requestId)) return priorAppend(deps, streamId, request);
  const from = (seen?.revision ?? -1) + 1;
  // An exact revision covers the events up to it; one already passed makes the append conflict.
  if (typeof expectedRevision === 'number' && expectedRevision < from) return undefined;
  const unseen = await read(deps, streamId, {
    fromRevision: from,
    fromLeader: true,
    ...(typeof expectedRevision === 'number' && { maxCount: expectedRevision - from + 1 }),
  });
  const prior = ofRequest(unseen, request);
  return prior.length > 0 ? priorAppend(deps, streamId, request) : undefined;
};

/** A refused append; unless a concurrent retry of the same request is what got in first. */
const refused = async (deps: StreamDeps, { streamId, expectedRevision, request }: AppendRequest, actual: number | 'no_stream'): Promise<AppendResult> =>
  (request && (await priorAppend(deps, streamId, request))) ?? { outcome: 'wrong_expected_revision', streamId, expected: expectedRevision, actual };

const sameIds = (stored: readonly StoredEvent[], events: readonly NewEvent[]) =>
  stored.length === events.length && stored.every((s, index) => s.event.eventId === events[index]?.eventId);

const byIds = (stored: readonly StoredEvent[], events: readonly NewEvent[]) => {
  const ids = new Set(events.map((event) => event.eventId));
  return stored.filter((s) => ids.has(s.event.eventId));
};

/**
 * The acknowledged events as stored. The append's reply names one log position for the whole write, so the
 * events are read back for each one's position. A deduplicated write is acknowledged with the revisions of
 * the events first written; should a server answer with the stream's current revision instead, the events
 * are found by id.
 */
const storedAppend = async (deps: StreamDeps, streamId: string, events: readonly NewEvent[], lastRevision: bigint) => {
  const range = await read(deps, streamId, { fromRevision: Math.max(0, Number(lastRevision) - events.length + 1), maxCount: events.length, fromLeader: true });
  if (sameIds(range, events)) return range;
  const found = byIds(await read(deps, streamId, { fromLeader: true }), events);
  if (sameIds(found, events)) return found;
  throw new Error(`${streamId}: an append was acknowledged at revision ${lastRevision}, but the stream does not hold its events`);
};

/** What the stream says about an append: written by this call, by another call of its request, or not at all. */
const outcomeOf = (streamId: string, { events, request }: AppendRequest, stored: readonly StoredEvent[], recorded: StoredRequest | undefined) => {
  const written = request === undefined ? byIds(stored, events) : ofRequest(stored, request);
  if (written.length === 0) return undefined;
  // Another call of this request wrote them (EventStoreDB recognised the ids and wrote nothing for this one).
  if (request !== undefined && written[0]?.request?.appendId !== recorded?.appendId) return duplicateOf(streamId, written, request);
  return appendedOf(streamId, written);
};

const acknowledged = async (deps: StreamDeps, append: AppendRequest, reply: EsdbAppendResult, recorded: StoredRequest | undefined): Promise<AppendResult> => {
  const stored = await storedAppend(deps, append.streamId, append.events, reply.nextExpectedRevision);
  return outcomeOf(append.streamId, append, stored, recorded) ?? appendedOf(append.streamId, stored);
};

/** After an error that leaves the outcome unknown: what the leader's stream holds decides it. */
const settled = async (deps: StreamDeps, append: AppendRequest, recorded: StoredRequest | undefined, error: unknown): Promise<AppendResult> => {
  const unknown = (reason: string, cause: unknown) => transient(`${append.streamId}: the append's outcome is unknown (${describe(error)}); ${reason}`, cause);
  let stored: StoredEvent[];
  try {
    stored = await read(deps, append.streamId, { fromLeader: true });
  } catch (readError) {
    throw unknown(`reading the stream to find out failed too (${describe(readError)})`, error);
  }
  const outcome = outcomeOf(append.streamId, append, stored, recorded);
  if (outcome === undefined) throw unknown('the stream does not hold its events', error);
  return outcome;
};

/** An empty append writes nothing; it still answers whether the expectation holds, as the server would judge it. */
const appendNothing = async ({ client }: StreamDeps, streamId: string, expected: ExpectedRevision): Promise<AppendResult> => {
  const actual = await streamStateOf(client, streamId);
  if (actual === 'deleted') throw deletedStream(streamId);
  const accepts = revisionAccepts(expected, actual) || (expected === 'stream_exists' && (await hasMetadata(client, streamId)));
  return accepts
    ? { outcome: 'appended', streamId, revision: actual === 'no_stream' ? -1 : actual, events: [] }
    : { outcome: 'wrong_expected_revision', streamId, expected, actual };
};

export const appendToStream = async (deps: StreamDeps, append: AppendRequest): Promise<AppendResult> => {
  const { streamId, events, expectedRevision, request } = append;
  const expected = esdbExpectedRevisionOf(expectedRevision);
  if (events.length === 0) return appendNothing(deps, streamId, expectedRevision);
  const prior = request && (await priorUnseen(deps, append, request));
  if (prior) return prior;

  const recorded = request && { requestId: request.requestId, fingerprint: request.fingerprint, appendId: randomUUID() };
  let reply: EsdbAppendResult;
  try {
    reply = await deps.client.appendToStream(streamId, events.map((event) => eventDataOf(event, recorded)), { expectedRevision: expected });
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return refused(deps, append, actualRevisionOf(error.actualVersion));
    if (outcomeUnknown(error)) return settled(deps, append, recorded, error);
    throw portErrorOf(streamId, error);
  }
  // With throwOnAppendFailure=false in the connection string a conflict is a reply, and its revision
  // field is not the stream's: ask the stream.
  if (!reply.success) {
    const actual = await streamStateOf(deps.client, streamId);
    return refused(deps, append, actual === 'deleted' ? 'no_stream' : actual);
  }
  return acknowledged(deps, append, reply, recorded);
};
