// The archive's tables in BigQuery. Each of the kernel's tables (`events`, `telemetry`) is a view over a
// table of rows (`event_rows`, `telemetry_rows`) that keeps one row per identity.
//
// Why a view: the writes are MERGE statements that skip rows already archived, but BigQuery enforces no
// unique key, and two MERGEs of the same new row running at once (a redelivery racing its original in
// another archiver instance) both insert it. So "one row per event" is kept on read: the view, which
// auditors' SQL and `find` see, keeps the first row of each identity. Its window partitions by the identity
// and by the columns audits filter on (all equal between copies of one row), so a filter on them can reach
// the table and its partitions and clusters.
//
// Row tables are partitioned by day on recorded_at (an auditor's time window reads only its days, and old
// days can expire or move to cheaper storage) and clustered by what the MERGEs and `find` filter on:
// events by aggregate type, stream (the MERGE bounds its target by the batch's streams), event type and
// correlation; pings by vehicle (the MERGE bounds its target by the batch's vehicles).
import type { TableField, TableMetadata } from '@google-cloud/bigquery';
import { archiveTables } from '@meridian/archive-sql';

const required = (name: string, type: string): TableField => ({ name, type, mode: 'REQUIRED' });
const nullable = (name: string, type: string): TableField => ({ name, type, mode: 'NULLABLE' });

const dailyOnRecordedAt = { type: 'DAY', field: 'recorded_at' } as const;

export const eventFields: readonly TableField[] = [
  required('event_id', 'STRING'),
  required('type', 'STRING'),
  required('schema_version', 'INT64'),
  required('aggregate_type', 'STRING'),
  required('stream_id', 'STRING'),
  required('stream_revision', 'INT64'),
  required('global_position', 'INT64'),
  required('recorded_at', 'TIMESTAMP'),
  required('correlation_id', 'STRING'),
  required('causation_id', 'STRING'),
  nullable('request_id', 'STRING'),
  required('principal_id', 'STRING'),
  required('actor_role', 'STRING'),
  nullable('client_id', 'STRING'),
  nullable('traceparent', 'STRING'),
  required('data', 'JSON'),
  required('metadata', 'JSON'),
];

export const eventsTable: TableMetadata = {
  schema: { fields: [...eventFields] },
  timePartitioning: dailyOnRecordedAt,
  clustering: { fields: ['aggregate_type', 'stream_id', 'type', 'correlation_id'] },
  description: 'Every event of the Meridian log as the archiver wrote it; read it through the view `events`, one row per event id.',
};

export const telemetryFields: readonly TableField[] = [
  required('vehicle_id', 'STRING'),
  required('lat', 'FLOAT64'),
  required('lng', 'FLOAT64'),
  required('speed', 'FLOAT64'),
  required('heading', 'FLOAT64'),
  required('recorded_at', 'TIMESTAMP'),
];

export const telemetryTable: TableMetadata = {
  schema: { fields: [...telemetryFields] },
  timePartitioning: dailyOnRecordedAt,
  clustering: { fields: ['vehicle_id'] },
  description: 'Raw vehicle telemetry as the archiver wrote it; read it through the view `telemetry`, one row per vehicle and instant.',
};

/** The log's anchors (see the kernel's LogAnchor): one row per position, the first one written stays. */
export const anchorsTable: TableMetadata = {
  schema: {
    fields: [
      { name: 'global_position', type: 'INT64', mode: 'REQUIRED' },
      { name: 'global_hash', type: 'STRING', mode: 'REQUIRED' },
      { name: 'recorded_at', type: 'TIMESTAMP', mode: 'REQUIRED' },
    ],
  },
  clustering: { fields: ['global_position'] },
  description: "The Meridian log's head (position and global hash) as recorded now and then: evidence against a cut or rewritten log.",
};

export type ArchiveTable = {
  /** What auditors query: the view. */
  readonly view: string;
  /** Where rows are written. */
  readonly rows: string;
  readonly metadata: TableMetadata;
  /** The window that keeps one row per identity: the identity first, then columns equal between copies. */
  readonly partitionBy: readonly string[];
};

export const eventsArchive: ArchiveTable = {
  view: archiveTables.events,
  rows: 'event_rows',
  metadata: eventsTable,
  partitionBy: ['event_id', 'aggregate_type', 'stream_id', 'type', 'correlation_id', 'principal_id', 'recorded_at', 'global_position'],
};

export const telemetryArchive: ArchiveTable = {
  view: archiveTables.telemetry,
  rows: 'telemetry_rows',
  metadata: telemetryTable,
  partitionBy: ['vehicle_id', 'recorded_at'],
};

export const archiveTableDefinitions: readonly ArchiveTable[] = [eventsArchive, telemetryArchive];

/** Tables written and read as they are (no view): the log's anchors, one row per position. */
export const plainTableDefinitions = [{ name: archiveTables.anchors, metadata: anchorsTable }] as const;

/** `QUALIFY` needs a WHERE (or GROUP BY, HAVING) beside it. */
export const firstOfEach = (partitionBy: readonly string[]) => `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${partitionBy.join(', ')}) = 1`;

/** The view's query; a view has no default dataset, so it names its table in full. */
export const viewQuery = (table: ArchiveTable, qualifiedDataset: string): string =>
  `SELECT * FROM \`${qualifiedDataset}.${table.rows}\` WHERE TRUE ${firstOfEach(table.partitionBy)}`;
