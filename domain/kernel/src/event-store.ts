// The event store port. Every adapter (embedded SQLite, EventStoreDB) passes the same contract suite
// (testing/event-store-contract.ts), so the rest of the platform cannot tell them apart.
import type { ChainHead } from './chain.ts';
import type { NewEvent, RecordedEvent } from './envelope.ts';

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
      /** The request was already appended: nothing was written, this is what the first append wrote. */
      readonly outcome: 'duplicate';
      readonly streamId: string;
      readonly revision: number;
      readonly events: readonly AppendedEvent[];
      /** False when the request id was first used for a different request. */
      readonly sameRequest: boolean;
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

/** What a request id was first used for, as a store that indexes request ids remembers it. */
export type PriorRequest = {
  readonly streamId: string;
  readonly fingerprint: string;
  readonly revision: number;
  readonly events: readonly AppendedEvent[];
};

export type EventStore = {
  readonly append: (request: AppendRequest) => Promise<AppendResult>;
  /**
   * The first use of a request id, for stores that index them (the embedded one does, in the same
   * transaction as the events). Lets the command handler answer a retry without reading the whole stream.
   */
  readonly findRequest?: (requestId: string) => Promise<PriorRequest | undefined>;
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
   * records in the archive as an anchor. Undefined for an empty log.
   */
  readonly chainHead?: () => Promise<ChainHead | undefined>;
  readonly close: () => Promise<void>;
};

/** Reads a batch through the whole log filter, for stores whose server cannot filter on both at once. */
export const matchesFilter = (filter: LogFilter | undefined, event: Pick<RecordedEvent, 'type' | 'streamId'>): boolean =>
  (filter?.eventTypes === undefined || filter.eventTypes.includes(event.type)) &&
  (filter?.streamPrefix === undefined || event.streamId.startsWith(filter.streamPrefix));
