// The archive's tables in DuckDB: the same names and columns as in BigQuery (the kernel's archiveTables and
// archiveEventColumns), typed for DuckDB.
//
// DuckDB has no partitioning. BigQuery's events table is partitioned by day on recorded_at and clustered by
// aggregate type, event type and stream id; here the same questions are served by the order rows arrive
// in and by indexes. The archiver writes in log order, so recorded_at rises along the table, and DuckDB's
// zone maps (min/max per row group) skip whole row groups for a time window much as partitions would.
// Point lookups that auditors make (one stream, one business transaction) get ART indexes; each index
// costs every insert, so there are only those two besides the key.
import { archiveTables } from '@meridian/archive-sql';

const { events, telemetry } = archiveTables;

export const createTables = [
  `CREATE TABLE IF NOT EXISTS ${events} (
    event_id VARCHAR PRIMARY KEY,
    type VARCHAR NOT NULL,
    schema_version INTEGER NOT NULL,
    aggregate_type VARCHAR NOT NULL,
    stream_id VARCHAR NOT NULL,
    stream_revision BIGINT NOT NULL,
    global_position BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    correlation_id VARCHAR NOT NULL,
    causation_id VARCHAR NOT NULL,
    request_id VARCHAR,
    principal_id VARCHAR NOT NULL,
    actor_role VARCHAR NOT NULL,
    client_id VARCHAR,
    traceparent VARCHAR,
    data JSON NOT NULL,
    metadata JSON NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS ${events}_stream ON ${events} (stream_id)`,
  `CREATE INDEX IF NOT EXISTS ${events}_correlation ON ${events} (correlation_id)`,
  `CREATE TABLE IF NOT EXISTS ${telemetry} (
    vehicle_id VARCHAR NOT NULL,
    lat DOUBLE NOT NULL,
    lng DOUBLE NOT NULL,
    speed DOUBLE NOT NULL,
    heading DOUBLE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (vehicle_id, recorded_at)
  )`,
] as const;

// Batches are appended (DuckDB's fastest way in) to a staging table of the writer's connection, then moved
// with one INSERT … ON CONFLICT DO NOTHING, which the appender alone cannot do. Timestamps and JSON
// travel as text and are cast on the way, so the appender only ever writes text and integers.
export const eventStaging = 'events_staging';
export const telemetryStaging = 'telemetry_staging';

export const createStaging = [
  `CREATE TEMP TABLE IF NOT EXISTS ${eventStaging} (
    event_id VARCHAR, type VARCHAR, schema_version BIGINT, aggregate_type VARCHAR, stream_id VARCHAR,
    stream_revision BIGINT, global_position BIGINT, recorded_at VARCHAR, correlation_id VARCHAR,
    causation_id VARCHAR, request_id VARCHAR, principal_id VARCHAR, actor_role VARCHAR, client_id VARCHAR,
    traceparent VARCHAR, data VARCHAR, metadata VARCHAR
  )`,
  `CREATE TEMP TABLE IF NOT EXISTS ${telemetryStaging} (
    vehicle_id VARCHAR, lat DOUBLE, lng DOUBLE, speed DOUBLE, heading DOUBLE, recorded_at VARCHAR
  )`,
] as const;

export const moveStagedEvents = `INSERT INTO ${events}
  SELECT event_id, type, schema_version, aggregate_type, stream_id, stream_revision, global_position,
    recorded_at::TIMESTAMPTZ, correlation_id, causation_id, request_id, principal_id, actor_role, client_id,
    traceparent, data::JSON, metadata::JSON
  FROM ${eventStaging}
  ON CONFLICT DO NOTHING`;

export const moveStagedTelemetry = `INSERT INTO ${telemetry}
  SELECT vehicle_id, lat, lng, speed, heading, recorded_at::TIMESTAMPTZ FROM ${telemetryStaging}
  ON CONFLICT DO NOTHING`;
