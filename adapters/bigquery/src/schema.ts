// The archive's tables in BigQuery: the kernel's names and columns, partitioned by day on recorded_at (an
// auditor's time window reads only its days, and old days can expire or move to cheaper storage) and
// clustered by what audits filter on after time (aggregate type, event type, stream; the vehicle).
import type { TableField, TableMetadata } from '@google-cloud/bigquery';
import { archiveTables } from '@meridian/kernel';
import { anchorsTable } from './anchors.ts';

const required = (name: string, type: string): TableField => ({ name, type, mode: 'REQUIRED' });
const nullable = (name: string, type: string): TableField => ({ name, type, mode: 'NULLABLE' });

const dailyOnRecordedAt = { type: 'DAY', field: 'recorded_at' } as const;

export const eventsTable: TableMetadata = {
  schema: {
    fields: [
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
    ],
  },
  timePartitioning: dailyOnRecordedAt,
  clustering: { fields: ['aggregate_type', 'type', 'stream_id'] },
  description: 'Every event of the Meridian log, one row per event id, written by the archiver.',
};

export const telemetryTable: TableMetadata = {
  schema: {
    fields: [
      required('vehicle_id', 'STRING'),
      required('lat', 'FLOAT64'),
      required('lng', 'FLOAT64'),
      required('speed', 'FLOAT64'),
      required('heading', 'FLOAT64'),
      required('recorded_at', 'TIMESTAMP'),
    ],
  },
  timePartitioning: dailyOnRecordedAt,
  clustering: { fields: ['vehicle_id'] },
  description: 'Raw vehicle telemetry, one row per vehicle and instant.',
};

export const archiveTableDefinitions = [
  { name: archiveTables.events, metadata: eventsTable },
  { name: archiveTables.telemetry, metadata: telemetryTable },
  { name: archiveTables.anchors, metadata: anchorsTable },
] as const;
