// Appending to one stream with an expected revision, as the port's plain append (an append with a request
// goes through requests.ts, which records the request in a stream of its own and calls this for the events).
//
// The kernel derives event ids from the request id (command-handler.ts, eventIdsFor), so a retried request
// proposes the very events it proposed before. EventStoreDB checks proposed ids against what it stored,
// but how well depends on the expectation: at an exact revision or `no_stream` it compares them with the
// events stored after that revision, read from its index, and acknowledges a repeat without writing it;
// with `any` or `stream_exists` it only recognises ids still in an in-memory cache of recent writes (a few
// MiB), so a late repeat of such an append is stored again. And while the first write of those ids is
// still in flight, it drops the repeat and lets it time out (the client's DeadlineExceededError or
// TimeoutError). requests.ts appends at exact revisions; this adapter still decides from what the stream
// holds where the server's answer leaves the outcome open:
// - after an acknowledgement, whose events are read back for their positions (writeToStream, for a
//   request's own records, takes the acknowledgement as its answer);
// - after an error that leaves the outcome unknown (timeout, unavailable, cancelled): the events are there
//   (appended, by this call or a repeat of it) or the error stands, as a transient failure.
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
import { permanent, transient, type AppendRequest, type AppendResult, type ExpectedRevision, type NewEvent } from '@meridian/kernel';
import { actualRevisionOf, appendedEventOf, esdbExpectedRevisionOf, eventDataOf, revisionAccepts, type StoredEvent } from './mapping.ts';
import { hasMetadata, readStoredStream, streamStateOf, type StreamsClient } from './reads.ts';

/** A plain append: no request (requests.ts records those). */
export type PlainAppend = Omit<AppendRequest, 'request'>;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The client's errors that mean "the write may or may not have happened". */
const outcomeUnknown = (error: unknown) =>
  error instanceof TimeoutError ||
  error instanceof DeadlineExceededError ||
  error instanceof UnavailableError ||
  error instanceof CancelledError;

const deletedStream = (streamId: string, cause?: unknown) =>
  permanent(`${streamId} was deleted for good (tombstoned): nothing can be appended to it again`, cause);

/** Failures no retry can mend, tagged so a consumer dead-letters at once instead of retrying. */
const portErrorOf = (streamId: string, error: unknown): unknown => {
  if (error instanceof StreamDeletedError) return deletedStream(streamId, error);
  if (error instanceof MaxAppendSizeExceededError)
    return permanent(`${streamId}: the append exceeds the server's maximum append size (${error.maxAppendSize} bytes)`, error);
  return error;
};

const appendedOf = (streamId: string, stored: readonly StoredEvent[]): AppendResult => ({
  outcome: 'appended',
  streamId,
  revision: stored[stored.length - 1]!.event.streamRevision,
  events: stored.map((s) => appendedEventOf(s.event)),
});

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
const storedAppend = async (client: StreamsClient, streamId: string, events: readonly NewEvent[], lastRevision: bigint) => {
  const range = await readStoredStream(client, streamId, {
    fromRevision: Math.max(0, Number(lastRevision) - events.length + 1),
    maxCount: events.length,
    fromLeader: true,
  });
  if (sameIds(range, events)) return range;
  const found = byIds(await readStoredStream(client, streamId, { fromLeader: true }), events);
  if (sameIds(found, events)) return found;
  throw new Error(`${streamId}: an append was acknowledged at revision ${lastRevision}, but the stream does not hold its events`);
};

/** After an error that leaves the outcome unknown: what the leader's stream holds decides it. */
const settled = async (client: StreamsClient, append: PlainAppend, error: unknown): Promise<AppendResult> => {
  const unknown = (reason: string, cause: unknown) =>
    transient(`${append.streamId}: the append's outcome is unknown (${describe(error)}); ${reason}`, cause);
  let stored: StoredEvent[];
  try {
    stored = await readStoredStream(client, append.streamId, { fromLeader: true });
  } catch (readError) {
    throw unknown(`reading the stream to find out failed too (${describe(readError)})`, error);
  }
  const written = byIds(stored, append.events);
  if (written.length === 0) throw unknown('the stream does not hold its events', error);
  return appendedOf(append.streamId, written);
};

/** An empty append writes nothing; it still answers whether the expectation holds, as the server would judge it. */
const appendNothing = async (client: StreamsClient, streamId: string, expected: ExpectedRevision): Promise<AppendResult> => {
  const actual = await streamStateOf(client, streamId);
  if (actual === 'deleted') throw deletedStream(streamId);
  const accepts = revisionAccepts(expected, actual) || (expected === 'stream_exists' && (await hasMetadata(client, streamId)));
  return accepts
    ? { outcome: 'appended', streamId, revision: actual === 'no_stream' ? -1 : actual, events: [] }
    : { outcome: 'wrong_expected_revision', streamId, expected, actual };
};

/** The server acknowledged the append, its last event at this revision; the events are not read back yet. */
type Acknowledged = { readonly acknowledged: bigint };

/** Sends a non-empty append: the server's acknowledgement, or the port's answer where the server's answer settles it otherwise. */
const send = async (client: StreamsClient, append: PlainAppend): Promise<Acknowledged | AppendResult> => {
  const { streamId, events, expectedRevision } = append;
  const refused = (actual: number | 'no_stream'): AppendResult => ({
    outcome: 'wrong_expected_revision',
    streamId,
    expected: expectedRevision,
    actual,
  });
  let reply: EsdbAppendResult;
  try {
    reply = await client.appendToStream(
      streamId,
      events.map((event) => eventDataOf(event)),
      { expectedRevision: esdbExpectedRevisionOf(expectedRevision) },
    );
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return refused(actualRevisionOf(error.actualVersion));
    if (outcomeUnknown(error)) return settled(client, append, error);
    throw portErrorOf(streamId, error);
  }
  // With throwOnAppendFailure=false in the connection string a conflict is a reply, and its revision
  // field is not the stream's: ask the stream.
  if (!reply.success) {
    const actual = await streamStateOf(client, streamId);
    return refused(actual === 'deleted' ? 'no_stream' : actual);
  }
  return { acknowledged: reply.nextExpectedRevision };
};

export const appendToStream = async (client: StreamsClient, append: PlainAppend): Promise<AppendResult> => {
  const { streamId, events, expectedRevision } = append;
  if (events.length === 0) return appendNothing(client, streamId, expectedRevision);
  const sent = await send(client, append);
  return 'acknowledged' in sent ? appendedOf(streamId, await storedAppend(client, streamId, events, sent.acknowledged)) : sent;
};

/**
 * A non-empty append whose caller needs to know only whether it was written (a request's record), so an
 * acknowledgement is taken at its word: nothing is read back.
 */
export const writeToStream = async (client: StreamsClient, append: PlainAppend): Promise<boolean> => {
  const sent = await send(client, append);
  return 'acknowledged' in sent || sent.outcome === 'appended';
};

/** The revision of a stream's last event, as the leader sees it ('no_stream' for none, or deleted). */
export const currentRevisionOf = async (client: StreamsClient, streamId: string): Promise<number | 'no_stream'> => {
  const state = await streamStateOf(client, streamId);
  return state === 'deleted' ? 'no_stream' : state;
};
