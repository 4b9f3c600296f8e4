import { archiveEventColumns, archiveTelemetryColumns } from '@meridian/archive-sql';
import test from 'ava';
import {
  eventFields,
  eventsArchive,
  eventsTable,
  firstOfEach,
  telemetryArchive,
  telemetryFields,
  telemetryTable,
  viewQuery,
} from './schema.ts';

test('the event rows: the kernel columns, partitioned by day on recorded_at, clustered by what the MERGE and find filter on', (t) => {
  t.deepEqual(
    eventFields.map((f) => f.name),
    [...archiveEventColumns],
  );
  t.deepEqual(eventsTable.timePartitioning, { type: 'DAY', field: 'recorded_at' });
  t.deepEqual(eventsTable.clustering, { fields: ['aggregate_type', 'stream_id', 'type', 'correlation_id'] });
  t.deepEqual({ view: eventsArchive.view, rows: eventsArchive.rows }, { view: 'events', rows: 'event_rows' });
});

test('the telemetry rows: their own, partitioned by day on recorded_at, clustered by vehicle', (t) => {
  t.deepEqual(
    telemetryFields.map((f) => f.name),
    [...archiveTelemetryColumns],
  );
  t.deepEqual(telemetryTable.timePartitioning, { type: 'DAY', field: 'recorded_at' });
  t.deepEqual(telemetryTable.clustering, { fields: ['vehicle_id'] });
  t.deepEqual({ view: telemetryArchive.view, rows: telemetryArchive.rows }, { view: 'telemetry', rows: 'telemetry_rows' });
});

test('the views keep one row per identity, partitioned by columns copies of a row share, never by ones they may not', (t) => {
  t.is(
    viewQuery(eventsArchive, 'p.d'),
    'SELECT * FROM `p.d.event_rows` WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id, aggregate_type, stream_id, type, correlation_id, principal_id, recorded_at, global_position) = 1',
  );
  t.is(viewQuery(telemetryArchive, 'p.d'), `SELECT * FROM \`p.d.telemetry_rows\` WHERE TRUE ${firstOfEach(['vehicle_id', 'recorded_at'])}`);
  t.is(eventsArchive.partitionBy[0], 'event_id', 'the identity first');
  // A column derived by code that may change between versions, or JSON text, could differ between copies.
  for (const column of ['client_id', 'data', 'metadata']) t.false(eventsArchive.partitionBy.includes(column), column);
  for (const column of eventsTable.clustering?.fields ?? [])
    t.true(eventsArchive.partitionBy.includes(column), `a filter on ${column} can reach the clusters`);
});
