// The event archive port: every event (and every raw telemetry ping), kept for auditors and analysts in a
// store made for questions over history: DuckDB embedded, BigQuery in the cloud. Written by the archiver
// (a consumer of the event plane), idempotently: a redelivered or replayed event never makes a second row.
//
// Below the port are the pieces both adapters share, so the two stores flatten, order and page events the
// same way: the row an event becomes, the event a row reads back as, the page cursor, batch de-duplication.
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrors } from './codecs.ts';
import { aggregateTypeOf, RecordedEventCodec, type RecordedEvent } from './envelope.ts';

export type ArchiveFilter = {
  readonly streamId?: string;
  readonly correlationId?: string;
  /** Any of these wire types; an empty list matches nothing. */
  readonly eventTypes?: readonly string[];
  readonly aggregateType?: string;
  /** recordedAt ≥ from (inclusive), RFC 3339. */
  readonly from?: string;
  /** recordedAt < to (exclusive), RFC 3339. */
  readonly to?: string;
  /** The actor's principal id. */
  readonly principalId?: string;
};

export type ArchivePage = {
  /** In global position order (then event id, should two stores' positions ever meet in one archive). */
  readonly events: readonly RecordedEvent[];
  /** The cursor of the next page, absent on the last one. Opaque: pass it back as `after`. */
  readonly next?: string;
};

/** The most events one page may hold. */
export const maxArchivePageSize = 1000;

/** A raw telemetry ping as archived: its identity is the vehicle and the instant (to the millisecond). */
export type ArchivedPing = {
  readonly vehicleId: string;
  readonly lat: number;
  readonly lng: number;
  readonly speed: number;
  readonly heading: number;
  readonly recordedAt: string;
};

/**
 * A query's answer, with JSON-ready values: integers as numbers (as strings beyond 2^53), timestamps as
 * RFC 3339 strings, JSON columns as JSON text. A CLI prints it, an API returns it, as it is.
 */
export type SqlResult = {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
};

/**
 * Why a query has no answer, an expected outcome (the query is the caller's input): the archive will not
 * run it (`rejected`: it could change something, it is not a valid query, it is beyond the archive's
 * limits), or its signal stopped it (`cancelled`).
 */
export type SqlRefusal = { readonly reason: 'rejected' | 'cancelled'; readonly message: string };

/** What a query gets: its rows, or why not. A failure of the archive itself (unreachable, a bug) throws. */
export type SqlAnswer = E.Either<SqlRefusal, SqlResult>;

/**
 * A query the archive will not run. Inside an adapter only: thrown to leave the code reading a query at
 * once (a row limit hit mid-page), and answered as a refusal at the port by `sqlAnswerOf`.
 */
export class ArchiveSqlRejected extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveSqlRejected';
  }
}

/**
 * The log's head at a moment, recorded in the archive (a second store) by the platform: the position and
 * global hash of its last event (see chain.ts). A log cut short or rewritten after it no longer matches it.
 */
export type LogAnchor = {
  readonly position: number;
  readonly hash: string;
  /** When it was recorded, RFC 3339 (read back in `Date#toISOString` form). */
  readonly recordedAt: string;
};

/** How a query may be stopped. */
export type SqlOptions = {
  /**
   * When it aborts (a statement timeout, a client gone), the archive stops working on the query, not only
   * the caller waiting for it, and the answer is ArchiveQueryCancelled.
   */
  readonly signal?: AbortSignal;
};

/** A query stopped by its signal before it finished; the signal's reason is the cause (inside an adapter, as above). */
export class ArchiveQueryCancelled extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveQueryCancelled';
  }
}

/** The rejection for a query whose signal aborted: says why, as the signal's reason does. */
export const queryCancelled = (signal: AbortSignal): ArchiveQueryCancelled => {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  return new ArchiveQueryCancelled(`the query was stopped: ${why}`, { cause: reason });
};

/** An adapter's run of a query as the port answers it: its refusals as values, anything else thrown on. */
export const sqlAnswerOf = async (run: () => Promise<SqlResult>): Promise<SqlAnswer> => {
  try {
    return E.right(await run());
  } catch (error) {
    if (error instanceof ArchiveSqlRejected) return E.left({ reason: 'rejected', message: error.message });
    if (error instanceof ArchiveQueryCancelled) return E.left({ reason: 'cancelled', message: error.message });
    throw error;
  }
};

export type EventArchive = {
  /** Writes events; those already archived (same eventId) are skipped. Resolves with how many were new. */
  readonly write: (events: readonly RecordedEvent[]) => Promise<{ readonly inserted: number }>;
  /** Writes pings; a ping already archived (same vehicle and recordedAt) is skipped. */
  readonly writeTelemetry: (pings: readonly ArchivedPing[]) => Promise<{ readonly inserted: number }>;
  /**
   * Events matching every given filter, `limit` (1 to maxArchivePageSize) at a time. Events read back
   * exactly as written; recordedAt comes back in `Date#toISOString` form, which is how every store records it.
   */
  readonly find: (filter: ArchiveFilter, page: { readonly limit: number; readonly after?: string }) => Promise<ArchivePage>;
  /**
   * A read-only SQL query over the archive's tables (`events`, `telemetry`), in the archive's own dialect.
   * Statements that would change anything are refused (a `rejected` left), and so are invalid ones. A
   * query whose signal aborts is stopped in the archive and answered with a `cancelled` left.
   */
  readonly sql: (query: string, options?: SqlOptions) => Promise<SqlAnswer>;
  /**
   * Records an anchor of the log's head. One per position: the first one recorded stays (an anchor is
   * evidence; a later claim about the same position does not replace it). Resolves with how many were new.
   */
  readonly writeAnchor: (anchor: LogAnchor) => Promise<{ readonly inserted: number }>;
  /** Anchors in position order, after a position (default 0), `limit` (1 to maxArchivePageSize) at a time. */
  readonly anchors: (page: { readonly after?: number; readonly limit: number }) => Promise<readonly LogAnchor[]>;
  readonly close: () => Promise<void>;
};

/** The archive's tables, the same in every adapter (names and columns). */
export const archiveTables = {
  events: 'events',
  telemetry: 'telemetry',
  anchors: 'log_anchors',
} as const;

/** Columns of the anchors table: the log's position and global hash, and when they were recorded. */
export const archiveAnchorColumns = ['global_position', 'global_hash', 'recorded_at'] as const;

/**
 * Columns of the events table: the envelope flattened for SQL, with `data` and `metadata` as JSON. Partitioned
 * by day on recorded_at and clustered by aggregate_type, type, stream_id where the store supports it.
 */
export const archiveEventColumns = [
  'event_id',
  'type',
  'schema_version',
  'aggregate_type',
  'stream_id',
  'stream_revision',
  'global_position',
  'recorded_at',
  'correlation_id',
  'causation_id',
  'request_id',
  'principal_id',
  'actor_role',
  'client_id',
  'traceparent',
  'data',
  'metadata',
] as const;
export type ArchiveEventColumn = (typeof archiveEventColumns)[number];

/** Columns of the telemetry table; the vehicle and the instant are its key. */
export const archiveTelemetryColumns = ['vehicle_id', 'lat', 'lng', 'speed', 'heading', 'recorded_at'] as const;

/**
 * One event as a row: scalar columns to filter and group on, and the data and metadata as JSON text, which
 * is what reads back (the columns drawn from metadata are copies, for SQL). recorded_at is RFC 3339 text,
 * each store casts it to its timestamp type.
 */
export type ArchiveEventRow = {
  readonly [K in ArchiveEventColumn]: K extends 'schema_version' | 'stream_revision' | 'global_position'
    ? number
    : K extends 'request_id' | 'client_id' | 'traceparent'
      ? string | null
      : string;
};

/**
 * The client an event concerns: events about a client's thing carry its id in their data (every parcel
 * event carries its parcel's `clientId`). Not the actor's client: staff act on clients' parcels too, and a
 * dispatcher's delivery is still the client's delivery. Null for events of no client (routes, vehicles).
 */
export const clientOfEvent = (event: Pick<RecordedEvent, 'data'>): string | null => {
  const { data } = event;
  if (typeof data !== 'object' || data === null || !('clientId' in data)) return null;
  return typeof data.clientId === 'string' ? data.clientId : null;
};

export const archiveEventRow = (event: RecordedEvent): ArchiveEventRow => ({
  event_id: event.eventId,
  type: event.type,
  schema_version: event.schemaVersion,
  aggregate_type: aggregateTypeOf(event.streamId),
  stream_id: event.streamId,
  stream_revision: event.streamRevision,
  global_position: event.globalPosition,
  recorded_at: event.recordedAt,
  correlation_id: event.metadata.correlationId,
  causation_id: event.metadata.causationId,
  request_id: event.metadata.requestId ?? null,
  principal_id: event.metadata.actor.principalId,
  actor_role: event.metadata.actor.role,
  client_id: clientOfEvent(event),
  traceparent: event.metadata.traceparent ?? null,
  // JSON has no undefined: an event without data archives null, as any JSON consumer would see it.
  data: JSON.stringify(event.data ?? null),
  metadata: JSON.stringify(event.metadata),
});

/** What a store reads back for one event: its envelope columns, recorded_at in `Date#toISOString` form, the JSON text. */
export type StoredEventRow = Pick<
  ArchiveEventRow,
  'event_id' | 'type' | 'schema_version' | 'stream_id' | 'stream_revision' | 'global_position' | 'recorded_at' | 'data' | 'metadata'
>;

/** The archive's own rows are decoded like any input: a corrupt row fails loudly rather than passing as an event. */
export const eventFromArchiveRow = (row: StoredEventRow): RecordedEvent => {
  const decoded = RecordedEventCodec.decode({
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    streamRevision: row.stream_revision,
    globalPosition: row.global_position,
    recordedAt: row.recorded_at,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
  });
  if (E.isRight(decoded)) return decoded.right;
  const problems = fieldErrors(decoded.left).map((e) => `${e.pointer} ${e.detail}`);
  throw new Error(`archived event ${row.event_id} does not read back as an event: ${problems.join('; ')}`);
};

/** The instant of an RFC 3339 string in one canonical form, so both stores key pings and filter windows alike. */
export const archiveInstant = (rfc3339: string): string => {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 instant: ${JSON.stringify(rfc3339)}`);
  return new Date(ms).toISOString();
};

// A batch may carry one event twice (a redelivery joined to its original); stores that insert every
// unmatched source row (BigQuery's MERGE) would then write it twice.
export const distinctEvents = (events: readonly RecordedEvent[]): RecordedEvent[] => [
  ...new Map(events.map((e) => [e.eventId, e] as const)).values(),
];

/** Distinct pings by vehicle and instant, with recordedAt in canonical form; the first of duplicates wins. */
export const distinctPings = (pings: readonly ArchivedPing[]): ArchivedPing[] => {
  const byKey = new Map<string, ArchivedPing>();
  for (const ping of pings) {
    const recordedAt = archiveInstant(ping.recordedAt);
    const key = `${ping.vehicleId}@${recordedAt}`;
    if (!byKey.has(key)) byKey.set(key, { ...ping, recordedAt });
  }
  return [...byKey.values()];
};

/** Where a page ended: the last event's place in (global position, event id) order. */
export type ArchivePosition = { readonly globalPosition: number; readonly eventId: string };

export const encodeArchiveCursor = (position: ArchivePosition): string =>
  Buffer.from(JSON.stringify([position.globalPosition, position.eventId])).toString('base64url');

/** A cursor read back: a `next` cursor of a previous page, or why it is not one (bad input, at the API edge). */
export const parseArchiveCursor = (cursor: string): E.Either<string, ArchivePosition> => {
  const invalid = E.left(`not an archive cursor: ${JSON.stringify(cursor)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return invalid;
  const [globalPosition, eventId]: unknown[] = parsed;
  if (typeof globalPosition !== 'number' || !Number.isSafeInteger(globalPosition) || typeof eventId !== 'string') return invalid;
  return E.right({ globalPosition, eventId });
};

/**
 * A cursor the stores are handed: the edge parsed it already (parseArchiveCursor), so one that is not a
 * cursor here is a bug (it throws).
 */
export const decodeArchiveCursor = (cursor: string): ArchivePosition => {
  const parsed = parseArchiveCursor(cursor);
  if (E.isLeft(parsed)) throw new RangeError(parsed.left);
  return parsed.right;
};

/** The page size asked for, checked: a page is 1 to maxArchivePageSize events. */
export const archivePageLimit = (limit: number): number => {
  if (!Number.isInteger(limit) || limit < 1 || limit > maxArchivePageSize)
    throw new RangeError(`a page holds 1 to ${maxArchivePageSize} events, not ${limit}`);
  return limit;
};

/** A page from `limit + 1` rows read: the extra row only says that another page follows. */
export const archivePageOf = (events: readonly RecordedEvent[], limit: number): ArchivePage => {
  const page = events.slice(0, limit);
  const last = page[page.length - 1];
  return events.length > limit && last !== undefined
    ? { events: page, next: encodeArchiveCursor({ globalPosition: last.globalPosition, eventId: last.eventId }) }
    : { events: page };
};
