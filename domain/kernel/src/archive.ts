// The event archive port: every event (and every raw telemetry ping), kept for auditors and analysts in a
// store made for questions over history: DuckDB embedded, BigQuery in the cloud. Written by the archiver
// (a consumer of the event plane), idempotently: a redelivered or replayed event never makes a second row.
import type { RecordedEvent } from './envelope.ts';

export type ArchiveFilter = {
  readonly streamId?: string;
  readonly correlationId?: string;
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
  /** In global position order. */
  readonly events: readonly RecordedEvent[];
  /** The cursor of the next page, absent on the last one. */
  readonly next?: string;
};

/** A raw telemetry ping as archived: its identity is the vehicle and the instant. */
export type ArchivedPing = {
  readonly vehicleId: string;
  readonly lat: number;
  readonly lng: number;
  readonly speed: number;
  readonly heading: number;
  readonly recordedAt: string;
};

export type SqlResult = {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
};

export type EventArchive = {
  /** Writes events; those already archived (same eventId) are skipped. Resolves with how many were new. */
  readonly write: (events: readonly RecordedEvent[]) => Promise<{ readonly inserted: number }>;
  /** Writes pings; a ping already archived (same vehicle and recordedAt) is skipped. */
  readonly writeTelemetry: (pings: readonly ArchivedPing[]) => Promise<{ readonly inserted: number }>;
  readonly find: (filter: ArchiveFilter, page: { readonly limit: number; readonly after?: string }) => Promise<ArchivePage>;
  /**
   * A read-only SQL query over the archive's tables (`events`, `telemetry`), in the archive's own dialect.
   * Statements that would change anything are refused.
   */
  readonly sql: (query: string) => Promise<SqlResult>;
  readonly close: () => Promise<void>;
};

/** The archive's tables, the same in every adapter (names and columns). */
export const archiveTables = {
  events: 'events',
  telemetry: 'telemetry',
} as const;

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
