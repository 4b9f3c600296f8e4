// The archive's tables as SQL sees them, the same in every SQL archive (DuckDB embedded, BigQuery in the
// cloud), so a query an auditor writes runs on either: table names and column names. The kernel's port
// speaks of events and pings; these names are how the SQL stores lay them out.

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
