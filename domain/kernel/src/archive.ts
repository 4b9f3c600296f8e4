// The event archive port: every event (and every raw telemetry ping), kept for auditors and analysts in a
// store made for questions over history: DuckDB embedded, BigQuery in the cloud. Written by the archiver
// (a consumer of the event plane), idempotently: a redelivered or replayed event never makes a second row.
//
// The port speaks of events, pings, anchors and pages in the domain's terms (and passes SQL through in the
// archive's own dialect). How the SQL archives lay them out (tables, snake_case columns, the row an event
// becomes and the event a row reads back as) is theirs, shared in adapters/archive-sql. Below the port is
// its paging, the same for every archive and checked at the API edge: the page cursor and the page size.
import * as E from 'fp-ts/lib/Either.js';
import type { RecordedEvent } from './envelope.ts';

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
