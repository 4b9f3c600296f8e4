// Pure translations between the kernel's port and EventStoreDB's client types: expected revisions, log
// positions, the event envelope, and log filters. No I/O here, so all of it is unit-tested without a server.
import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type CurrentRevision,
  type EventData,
  type Filter,
  type JSONType,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import type { AppendedEvent, EventMetadata, ExpectedRevision, LogFilter, NewEvent, RecordedEvent } from '@meridian/kernel';
import { requestStreamPrefix } from './requests.ts';

// ---- expected and actual revisions ----

export const esdbExpectedRevisionOf = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      // A negative or fractional revision is a caller bug; sent on, it would fail obscurely in protobuf.
      if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`expected revision ${expected} is not a stream revision`);
      return BigInt(expected);
  }
};

/** The revision a WrongExpectedVersionError reports, in the port's terms. */
export const actualRevisionOf = (current: CurrentRevision): number | 'no_stream' => (current === NO_STREAM ? 'no_stream' : Number(current));

/** Whether a stream at `actual` meets the expectation (the server decides for real appends). */
export const revisionAccepts = (expected: ExpectedRevision, actual: number | 'no_stream'): boolean =>
  expected === 'any' ||
  (expected === 'no_stream' && actual === 'no_stream') ||
  (expected === 'stream_exists' && actual !== 'no_stream') ||
  expected === actual;

// ---- positions ----

const maxSafePosition = BigInt(Number.MAX_SAFE_INTEGER);
const noPosition = 2n ** 64n - 1n;

/**
 * The port's globalPosition is the event's commit position. That is a byte offset in EventStoreDB's
 * transaction log, so it stays below 2^53 (8 PiB of log) and a JS number holds it exactly. Events appended
 * through gRPC are implicit transactions whose commit and prepare positions are both the event's own log
 * position, so commit positions are distinct and increase strictly along $all.
 */
export const globalPositionOf = (position: Position | undefined, what: string): number => {
  // The log opens with an epoch record at 0, so no event sits there: 0 means the server sent no position
  // (servers before 22.6 leave it out of stream reads, and the client then reports 0). A server that knows
  // no position for an event (one of a legacy explicit transaction) sends the largest uint64.
  if (position === undefined || position.commit === 0n || position.commit === noPosition)
    throw new Error(
      `${what} came without its log position: the EventStoreDB adapter needs EventStoreDB 22.10 or later, and events appended over gRPC`,
    );
  if (position.commit > maxSafePosition) throw new RangeError(`${what}: commit position ${position.commit} exceeds 2^53`);
  return Number(position.commit);
};

/**
 * Where to start reading for events after `after`. Every position this adapter hands out is the start of
 * an event record, a valid place to read from; the server includes the event at that position in a read
 * of $all (a subscription skips it), so readers drop events at or below `after` themselves.
 */
export const readPositionAfter = (after: number): ReadPosition => {
  if (!Number.isSafeInteger(after) || after < 0) throw new RangeError(`position ${after} is not a log position`);
  return after === 0 ? START : { commit: BigInt(after), prepare: BigInt(after) };
};

/**
 * A filtered subscription's checkpoint is exact when it names an event (commit = prepare). During
 * catch-up the server also sends (x, 0): "everything before the record at x was scanned", which has no
 * event position of its own; the caller resolves it to the last event before x.
 */
export const exactCheckpointOf = (checkpoint: Position): number | undefined => {
  if (checkpoint.commit !== checkpoint.prepare) return undefined;
  if (checkpoint.commit > maxSafePosition) throw new RangeError(`checkpoint ${checkpoint.commit} exceeds 2^53`);
  // Unlike an event's, a checkpoint's position may be 0: a scan of an empty log from its start.
  return Number(checkpoint.commit);
};

// ---- the envelope ----

/** What a stored event's EventStoreDB metadata holds besides the envelope: the append that wrote it. */
export type StoredRequest = {
  readonly requestId: string;
  readonly fingerprint: string;
  /** Unique per append call: tells the append that wrote an event from a retry EventStoreDB deduplicated. */
  readonly appendId: string;
};

/** The EventStoreDB metadata of a Meridian event. */
export type StoredMetadata = {
  readonly schemaVersion: number;
  readonly metadata: EventMetadata;
  /** EventStoreDB's own conventions, so its $by_correlation_id projection can follow a request. */
  readonly $correlationId: string;
  readonly $causationId: string;
  readonly request?: StoredRequest;
};

/** A stored event as this adapter reads it: the envelope, plus the request that appended it. */
export type StoredEvent = {
  readonly event: RecordedEvent;
  readonly request: StoredRequest | undefined;
};

/** The fields this adapter reads from the client's recorded events, of streams and of $all alike. */
export type EsdbRecord = {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly created: Date;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: Position;
};

// The client's JSON events take objects, arrays and strings (it JSON.stringifies them); domain events are
// objects, so anything else is a caller bug worth a clear message.
const isJsonData = (data: unknown): data is JSONType => typeof data === 'string' || (typeof data === 'object' && data !== null);

export const eventDataOf = (event: NewEvent, request?: StoredRequest): EventData => {
  if (!isJsonData(event.data)) throw new TypeError(`event ${event.eventId} (${event.type}): data must be a JSON object, array or string`);
  const metadata: StoredMetadata = {
    schemaVersion: event.schemaVersion,
    metadata: event.metadata,
    $correlationId: event.metadata.correlationId,
    $causationId: event.metadata.causationId,
    ...(request && { request }),
  };
  return jsonEvent({ id: event.eventId, type: event.type, data: event.data, metadata });
};

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// A shallow check: the store holds what eventDataOf wrote, this only catches an event some other writer put
// into a Meridian database.
const isEventMetadata = (value: unknown): value is EventMetadata =>
  isRecord(value) && typeof value.correlationId === 'string' && typeof value.causationId === 'string' && isRecord(value.actor);

const storedRequestOf = (value: unknown): StoredRequest | undefined =>
  isRecord(value) && typeof value.requestId === 'string' && typeof value.fingerprint === 'string' && typeof value.appendId === 'string'
    ? { requestId: value.requestId, fingerprint: value.fingerprint, appendId: value.appendId }
    : undefined;

const describe = (record: EsdbRecord) => `${record.streamId}@${record.revision} (event ${record.id}, ${record.type})`;

/** The envelope of a stored event; a foreign event fails loudly, like an event that no longer decodes. */
export const storedEventOf = (record: EsdbRecord, globalPosition: number): StoredEvent => {
  const stored = record.metadata;
  if (!record.isJson || !isRecord(stored) || typeof stored.schemaVersion !== 'number' || !isEventMetadata(stored.metadata))
    throw new Error(`${describe(record)} is not a Meridian event: it lacks the envelope in its metadata`);
  return {
    event: {
      eventId: record.id,
      type: record.type,
      schemaVersion: stored.schemaVersion,
      streamId: record.streamId,
      streamRevision: Number(record.revision),
      globalPosition,
      recordedAt: record.created.toISOString(),
      data: record.data,
      metadata: stored.metadata,
    },
    request: storedRequestOf(stored.request),
  };
};

export const appendedEventOf = ({ eventId, type, streamRevision, globalPosition }: RecordedEvent): AppendedEvent => ({
  eventId,
  type,
  streamRevision,
  globalPosition,
});

/**
 * The request an event was appended for: the adapter's own record, else the envelope's requestId (events
 * written before the adapter recorded requests itself, or by another writer of Meridian envelopes).
 */
export const requestIdentityOf = ({
  event,
  request,
}: StoredEvent): { readonly requestId: string; readonly fingerprint: string | undefined } | undefined =>
  request ??
  (event.metadata.requestId === undefined
    ? undefined
    : { requestId: event.metadata.requestId, fingerprint: event.metadata.requestFingerprint });

// ---- the log: system events and filters ----

/**
 * EventStoreDB's own events ($statsCollected, projection links `$>`, metadata...) are not part of
 * Meridian's log. Event types starting with `$` are system events; streams starting with `$` belong to the
 * server too (projection results there carry ordinary type names). Neither are this adapter's request
 * records (requests.ts).
 */
export const isSystemRecord = (record: Pick<EsdbRecord, 'type' | 'streamId'>): boolean =>
  record.type.startsWith('$') || record.streamId.startsWith('$') || record.streamId.startsWith(requestStreamPrefix);

export type CheckpointOptions = {
  /** Checkpoints come every `checkpointInterval` × the server's search window (32) scanned events. */
  readonly checkpointInterval: number;
  readonly checkpointReached: (subscription: AllStreamSubscription, position: Position) => Promise<void>;
};

/**
 * The server filters on one thing: event types when given (as prefixes, a superset of the exact names),
 * else the stream prefix, else it only drops system events. Readers then check the whole filter with the
 * kernel's matchesFilter, so prefix supersets and the second criterion are exact on our side.
 */
export const serverFilterOf = (filter: LogFilter | undefined, checkpoints: CheckpointOptions): Filter => {
  if (filter?.eventTypes !== undefined && filter.eventTypes.length > 0)
    return eventTypeFilter({ prefixes: [...filter.eventTypes], ...checkpoints });
  if (filter?.streamPrefix !== undefined && filter.streamPrefix !== '')
    return streamNameFilter({ prefixes: [filter.streamPrefix], ...checkpoints });
  return excludeSystemEvents(checkpoints);
};
