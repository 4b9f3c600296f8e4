// The event store port. Every adapter (embedded SQLite, EventStoreDB) passes the same contract suite
// (testing/event-store-contract.ts), so the rest of the platform cannot tell them apart.
import type { ChainHead } from './chain.ts';
import type { NewEvent, RecordedEvent } from './envelope.ts';
import type { Refusal } from './errors.ts';

/**
 * What an append expects of its stream: that it does not exist yet, that it does, that its last event has
 * exactly this 0-based revision, or nothing at all.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

/** A retried request is recognised by its id; the fingerprint tells a retry from a reuse of the id. */
export type RequestIdentity = { readonly requestId: string; readonly fingerprint: string };

export type AppendRequest = {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
  readonly request?: RequestIdentity;
};

export type AppendedEvent = {
  readonly eventId: string;
  readonly type: string;
  readonly streamRevision: number;
  readonly globalPosition: number;
};

export type AppendResult =
  | {
      readonly outcome: 'appended';
      readonly streamId: string;
      /** The stream's revision after the append: the revision of its last event. */
      readonly revision: number;
      readonly events: readonly AppendedEvent[];
    }
  | {
      /**
       * The request id already has an answer (the first append of it, or a decision that appended nothing):
       * nothing was written. Its fingerprint tells a retry from a reuse of the id for another request.
       */
      readonly outcome: 'duplicate';
      readonly record: RequestRecord;
    }
  | {
      readonly outcome: 'wrong_expected_revision';
      readonly streamId: string;
      readonly expected: ExpectedRevision;
      /** The stream's actual revision, or 'no_stream'. */
      readonly actual: number | 'no_stream';
    };

export type LogFilter = {
  /** Only events of these wire types. */
  readonly eventTypes?: readonly string[];
  /** Only events of streams whose id starts with this (`parcel-`). */
  readonly streamPrefix?: string;
};

export type ReadAllOptions = {
  /** Read events after this global position; 0 reads from the start. */
  readonly after: number;
  readonly batchSize?: number;
  readonly filter?: LogFilter;
};

export type LogBatch = {
  readonly events: readonly RecordedEvent[];
  /**
   * How far the log has been scanned, including events the filter skipped: a consumer checkpoints this,
   * so a rare event type does not make it re-read the whole log on restart.
   */
  readonly position: number;
  /** True when the batch reached the end of the log as it was when read. */
  readonly endOfLog: boolean;
};

export type SubscribeOptions = ReadAllOptions & {
  readonly signal?: AbortSignal;
};

/**
 * The first decided answer to a request (draft-ietf-httpapi-idempotency-key-header): the events it appended,
 * nothing to append (a no-op), or a refusal of the domain. Every retry of the request gets this answer.
 */
export type RequestAnswer =
  | { readonly kind: 'appended'; readonly streamId: string; readonly revision: number; readonly events: readonly AppendedEvent[] }
  /** Decided, with nothing to append; `revision` is the stream's then, -1 when it did not exist. */
  | { readonly kind: 'unchanged'; readonly streamId: string; readonly revision: number }
  | { readonly kind: 'refused'; readonly streamId: string; readonly refusal: Refusal };

/** A decision that appended nothing: what `recordDecision` records (appends record themselves). */
export type Decision = Exclude<RequestAnswer, { readonly kind: 'appended' }>;

/** What a store remembers of a request id: the first decided answer and the fingerprint of its request. */
export type RequestRecord = { readonly fingerprint: string; readonly answer: RequestAnswer };

export type RecordedDecision = {
  readonly record: RequestRecord;
  /** True when this call stored the record; false when the id already had one, which `record` is. */
  readonly recorded: boolean;
};

export type EventStore = {
  /**
   * Appends to one stream. With a request, the store records the append as that request's answer
   * atomically with the events, unless the request id already has an answer (then `duplicate`).
   */
  readonly append: (request: AppendRequest) => Promise<AppendResult>;
  /** The answer recorded for a request id, if it has one. */
  readonly findRequest: (requestId: string) => Promise<RequestRecord | undefined>;
  /**
   * Records a decision that appended nothing as a request's answer, first-wins and atomically: if the id
   * already has an answer (an append, or another attempt's decision that got in first), nothing is written
   * and that answer comes back, so every attempt at one request ends with the same answer.
   */
  readonly recordDecision: (request: RequestIdentity, decision: Decision) => Promise<RecordedDecision>;
  /** A stream's events in revision order, from a revision (0 = all); empty when the stream does not exist. */
  readonly readStream: (streamId: string, options?: { readonly fromRevision?: number }) => Promise<readonly RecordedEvent[]>;
  /** One batch of the global log in position order. */
  readonly readAll: (options: ReadAllOptions) => Promise<LogBatch>;
  /**
   * A catch-up subscription: batches of history from `after`, then live batches as events are appended,
   * with no gap and no duplicate, until the signal aborts.
   */
  readonly subscribe: (options: SubscribeOptions) => AsyncIterable<LogBatch>;
  /** The global position of the last event (0 when the store is empty). */
  readonly headPosition: () => Promise<number>;
  /**
   * For stores that hash-chain their events (tamper evidence, chain.ts): the last link, which the platform
   * records in the archive as an anchor (a store that chains its log behind the writers, as Spanner's
   * sealer does, answers its last sealed link). Undefined for an empty (or not yet sealed) log.
   */
  readonly chainHead?: () => Promise<ChainHead | undefined>;
  readonly close: () => Promise<void>;
};

/** Reads a batch through the whole log filter, for stores whose server cannot filter on both at once. */
export const matchesFilter = (filter: LogFilter | undefined, event: Pick<RecordedEvent, 'type' | 'streamId'>): boolean =>
  (filter?.eventTypes === undefined || filter.eventTypes.includes(event.type)) &&
  (filter?.streamPrefix === undefined || event.streamId.startsWith(filter.streamPrefix));
