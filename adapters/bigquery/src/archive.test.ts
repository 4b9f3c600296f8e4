// The BigQuery archive's setup, writes and queries against a fake of the client's calls (fake-bigquery.ts):
// no BigQuery can run on this machine. The contract suite (archive.int.test.ts) runs against a real BigQuery
// or an emulator when BIGQUERY_DATASET is set.
import { ConsumerFailure, type RecordedEvent } from '@meridian/kernel';
import { answered, refusalOf } from '@meridian/kernel/testing';
import type { Query, TableMetadata } from '@google-cloud/bigquery';
import test from 'ava';
import { openBigQueryArchive, type BigQueryArchiveSettings } from './archive.ts';
import { apiError, fakeBigQuery, seedDataset, type FakeBigQuery, type JobOutcome } from './fake-bigquery.ts';
import { eventFields, eventsArchive, eventsTable, telemetryTable, viewQuery } from './schema.ts';

const dataset = 'meridian_archive';

const open = (bigquery: FakeBigQuery, settings: Partial<BigQueryArchiveSettings> = {}) =>
  openBigQueryArchive(bigquery, { dataset, dmlRetryDelaysMs: [0, 0, 0], ...settings });

const event = (n: number, data: unknown = { n }): RecordedEvent => ({
  eventId: `e${n}`,
  type: 'parcel.registered.v1',
  schemaVersion: 1,
  streamId: `parcel-${n % 3}`,
  streamRevision: n,
  globalPosition: 100 + n,
  recordedAt: '2026-11-21T06:00:00.000Z',
  data,
  metadata: { correlationId: 'c', causationId: 'k', actor: { principalId: 'p', role: 'dispatcher' } },
});

const merges = (bigquery: FakeBigQuery) => bigquery.jobs.filter((job) => job.query?.startsWith('MERGE') === true);
const rowsOf = (job: Query): unknown[] => {
  const rows = job.params !== undefined && !Array.isArray(job.params) ? job.params['rows'] : undefined;
  return Array.isArray(rows) ? rows : [];
};

// ---- setup: the dataset, its tables and views ----

test('a new archive: the dataset where asked, row tables partitioned and clustered, and the views over them', async (t) => {
  const bigquery = fakeBigQuery();
  await open(bigquery, { location: 'EU' });
  t.is(bigquery.datasetMetadata(dataset)?.location, 'EU');
  const tables = bigquery.tables(dataset);
  t.like(tables.get('event_rows'), { type: 'TABLE', timePartitioning: eventsTable.timePartitioning, clustering: eventsTable.clustering });
  t.like(tables.get('telemetry_rows'), { type: 'TABLE', clustering: telemetryTable.clustering });
  t.deepEqual(tables.get('events')?.view, { query: viewQuery(eventsArchive, `test-project.${dataset}`), useLegacySql: false });
  t.is(tables.get('events')?.type, 'VIEW');
  t.regex(
    JSON.stringify(tables.get('telemetry')?.view),
    /FROM `test-project\.meridian_archive\.telemetry_rows` WHERE TRUE QUALIFY ROW_NUMBER\(\) OVER \(PARTITION BY vehicle_id, recorded_at\) = 1/,
  );
});

test('every job runs where the dataset is; a location that disagrees with an existing dataset stops the start', async (t) => {
  const bigquery = fakeBigQuery({ answer: () => ({ statementType: 'SELECT' }) });
  await seedDataset(bigquery, dataset, 'europe-west1');
  const archive = await open(bigquery);
  await archive.write([event(1)]);
  await archive.find({}, { limit: 10 });
  await archive.sql('SELECT 1');
  t.true(bigquery.jobs.length >= 4);
  t.true(
    bigquery.jobs.every((job) => job.location === 'europe-west1'),
    JSON.stringify(bigquery.jobs.map((j) => j.location)),
  );
  await t.notThrowsAsync(open(bigquery, { location: 'EUROPE-WEST1' }), 'locations compare without case');
  await t.throwsAsync(open(bigquery, { location: 'US' }), { message: /is in europe-west1, not in US/ });
});

test('an archive made before the views: its tables become the row tables, and the views take their names', async (t) => {
  const bigquery = fakeBigQuery();
  await seedDataset(bigquery, dataset, 'US', { events: eventsTable, telemetry: telemetryTable });
  await open(bigquery);
  const renames = bigquery.jobs.map((job) => job.query).filter((query) => query?.startsWith('ALTER TABLE'));
  t.deepEqual(renames, [
    'ALTER TABLE `meridian_archive.events` RENAME TO `event_rows`',
    'ALTER TABLE `meridian_archive.telemetry` RENAME TO `telemetry_rows`',
  ]);
  t.is(bigquery.tables(dataset).get('event_rows')?.type, 'TABLE');
  t.is(bigquery.tables(dataset).get('events')?.type, 'VIEW');
  await open(bigquery);
  t.is(bigquery.jobs.filter((job) => job.query?.startsWith('ALTER TABLE')).length, 2, 'once');
});

test('existing tables are checked: another partitioning or missing columns stop the start, other clustering is brought up to date', async (t) => {
  const otherPartitioning: TableMetadata = { ...eventsTable, timePartitioning: { type: 'MONTH', field: 'recorded_at' } };
  const bigquery = fakeBigQuery();
  await seedDataset(bigquery, dataset, 'US', { event_rows: otherPartitioning });
  await t.throwsAsync(open(bigquery), {
    message: /event_rows is not what the archive writes: it is partitioned by MONTH on recorded_at, not by DAY on recorded_at/,
  });

  const missing: TableMetadata = { ...eventsTable, schema: { fields: eventFields.filter((f) => f.name !== 'traceparent') } };
  const other = fakeBigQuery();
  await seedDataset(other, dataset, 'US', { event_rows: missing });
  await t.throwsAsync(open(other), { message: /it has no column traceparent/ });

  const oldClustering: TableMetadata = { ...eventsTable, clustering: { fields: ['aggregate_type', 'type', 'stream_id'] } };
  const reclustered = fakeBigQuery();
  await seedDataset(reclustered, dataset, 'US', { event_rows: oldClustering });
  await open(reclustered);
  t.deepEqual(reclustered.metadataUpdates, [{ table: 'event_rows', metadata: { clustering: eventsTable.clustering } }]);
  t.deepEqual(reclustered.tables(dataset).get('event_rows')?.clustering, eventsTable.clustering);
});

test('a view with an older query is updated; a table where a view belongs stops the start', async (t) => {
  const bigquery = fakeBigQuery();
  await seedDataset(bigquery, dataset, 'US', {
    event_rows: eventsTable,
    events: { view: { query: 'SELECT * FROM somewhere_else', useLegacySql: false } },
  });
  await open(bigquery);
  t.truthy(bigquery.metadataUpdates.find((u) => u.table === 'events')?.metadata.view);
  t.deepEqual(bigquery.tables(dataset).get('events')?.view, {
    query: viewQuery(eventsArchive, `test-project.${dataset}`),
    useLegacySql: false,
  });

  const clash = fakeBigQuery();
  await seedDataset(clash, dataset, 'US', { event_rows: eventsTable, events: eventsTable });
  await t.throwsAsync(open(clash), { message: /meridian_archive\.events is a TABLE, where the archive keeps its view over event_rows/ });
});

// ---- writes ----

test('a batch too large for one request is written in several statements, each within the budget', async (t) => {
  const bigquery = fakeBigQuery({ answer: (job) => ({ inserted: rowsOf(job).length }) });
  const archive = await open(bigquery, { maxRowBytesPerStatement: 20_000 });
  const large = Array.from({ length: 10 }, (_, n) => event(n, { text: `"quoted" ${'x'.repeat(4_000)}` }));
  t.deepEqual(await archive.write(large), { inserted: 10 });
  const statements = merges(bigquery);
  t.true(statements.length >= 3, `${statements.length} statements`);
  t.is(statements.flatMap(rowsOf).length, 10);
  for (const statement of statements) t.true(JSON.stringify(rowsOf(statement)).length < 20_000 + 2_000);
});

test('a row larger than any statement may carry is refused for good, after the rest of its batch is written', async (t) => {
  const bigquery = fakeBigQuery({ answer: (job) => ({ inserted: rowsOf(job).length }) });
  const archive = await open(bigquery, { maxRowBytesPerStatement: 10_000 });
  const error = await t.throwsAsync(archive.write([event(1), event(2, { text: 'x'.repeat(20_000) }), event(3)]));
  t.true(error instanceof ConsumerFailure && error.kind === 'permanent');
  t.regex(error?.message ?? '', /event e2 \(\d+ bytes\)/);
  t.is(merges(bigquery).flatMap(rowsOf).length, 2, 'the others are archived');
});

test('DML refused for now (too many statements outstanding on the table) is tried again; refused on and on, it fails transiently', async (t) => {
  let refusals = 2;
  const busy = () =>
    apiError(
      'Resources exceeded during query execution: Too many DML statements outstanding against table test-project:meridian_archive.event_rows, limit is 20.',
      'resourcesExceeded',
    );
  const bigquery = fakeBigQuery({
    answer: (job) => (job.query?.startsWith('MERGE') && refusals-- > 0 ? { failed: busy() } : { inserted: 1 }),
  });
  const archive = await open(bigquery);
  t.deepEqual(await archive.write([event(1)]), { inserted: 1 });
  t.is(merges(bigquery).length, 3);

  const always = fakeBigQuery({ answer: (job) => (job.query?.startsWith('MERGE') ? { failed: busy() } : {}) });
  const error = await t.throwsAsync((await open(always, { dmlRetryDelaysMs: [0, 0] })).write([event(1)]));
  t.true(error instanceof ConsumerFailure && error.kind === 'transient');
  t.is(merges(always).length, 3);

  const invalid = fakeBigQuery({
    answer: (job) => (job.query?.startsWith('MERGE') ? { failed: apiError('Syntax error', 'invalidQuery') } : {}),
  });
  await t.throwsAsync((await open(invalid)).write([event(1)]), { message: 'Syntax error' });
  t.is(merges(invalid).length, 1, 'anything else is not retried here');
});

// ---- queries ----

test('sql runs with a ceiling on bytes billed and on run time', async (t) => {
  const bigquery = fakeBigQuery({ answer: () => ({ pages: [[{ n: 1 }]], fields: [{ name: 'n', type: 'INT64' }] }) });
  const archive = await open(bigquery, { sqlLimits: { maxBytesBilled: 5_000_000, timeoutMs: 7_000 } });
  t.deepEqual(await answered(archive.sql('SELECT 1 AS n')), { columns: ['n'], rows: [[1]] });
  const run = bigquery.jobs.find((job) => job.query === 'SELECT 1 AS n' && job.dryRun !== true);
  t.like(run, { maximumBytesBilled: '5000000', jobTimeoutMs: 7_000 });
});

test('sql refuses, as the port says: a missing table, a query over its bill or time, an answer over the row limit', async (t) => {
  const answers: Record<string, JobOutcome> = {
    'SELECT * FROM nowhere': {
      refused: apiError('Not found: Table test-project:meridian_archive.nowhere was not found in location US', 'notFound', 404),
    },
    'SELECT * FROM events': {
      failed: apiError('Query exceeded limit for bytes billed: 1000. 10485760 or higher required.', 'bytesBilledLimitExceeded'),
    },
    'SELECT slow FROM events': { failed: apiError('Job execution was cancelled: Job timed out after 1 sec', 'timeout') },
    'SELECT many FROM events': { pages: [[{ n: 1 }, { n: 2 }], [{ n: 3 }]], fields: [{ name: 'n', type: 'INT64' }] },
  };
  const bigquery = fakeBigQuery({
    answer: (job) =>
      job.dryRun === true && job.query !== 'SELECT * FROM nowhere' ? { statementType: 'SELECT' } : (answers[job.query ?? ''] ?? {}),
  });
  const archive = await open(bigquery, { sqlLimits: { maxRows: 2 } });
  const rejected = async (query: string, message: RegExp) => {
    const refusal = await refusalOf(archive.sql(query));
    t.is(refusal.reason, 'rejected', query);
    t.regex(refusal.message, message);
  };
  await rejected('SELECT * FROM nowhere', /not a valid query: Not found: Table/);
  await rejected('SELECT * FROM events', /would bill more than/);
  await rejected('SELECT slow FROM events', /ran longer than 60000 ms/);
  await rejected('SELECT many FROM events', /answers 3 rows, more than the 2/);
});

test('find reads the row table, one row per event id, in the dataset', async (t) => {
  const bigquery = fakeBigQuery();
  const archive = await open(bigquery);
  t.deepEqual(await archive.find({ streamId: 'parcel-1' }, { limit: 5 }), { events: [] });
  const find = bigquery.jobs[bigquery.jobs.length - 1];
  t.regex(
    find?.query ?? '',
    /FROM event_rows\nWHERE stream_id = @stream_id\nQUALIFY ROW_NUMBER\(\) OVER \(PARTITION BY event_id\) = 1\nORDER BY/,
  );
  t.deepEqual(find?.defaultDataset, { datasetId: dataset, projectId: 'test-project' });
});
