import { archiveEventColumns, archiveTelemetryColumns } from '@meridian/kernel';
import test from 'ava';
import { eventsTable, telemetryTable } from './schema.ts';

const columnsOf = (schema: unknown) => ((schema as { fields: { name: string }[] }).fields ?? []).map((f) => f.name);

test('the events table: the kernel columns, partitioned by day on recorded_at, clustered by aggregate type, type, stream', (t) => {
  t.deepEqual(columnsOf(eventsTable.schema), [...archiveEventColumns]);
  t.deepEqual(eventsTable.timePartitioning, { type: 'DAY', field: 'recorded_at' });
  t.deepEqual(eventsTable.clustering, { fields: ['aggregate_type', 'type', 'stream_id'] });
});

test('the telemetry table: its own, partitioned by day on recorded_at, clustered by vehicle', (t) => {
  t.deepEqual(columnsOf(telemetryTable.schema), [...archiveTelemetryColumns]);
  t.deepEqual(telemetryTable.timePartitioning, { type: 'DAY', field: 'recorded_at' });
  t.deepEqual(telemetryTable.clustering, { fields: ['vehicle_id'] });
});
