// "One row per event" kept on read (schema.ts, sql.ts), executed rather than only read: the views' query
// and `find`'s query run over row tables holding the copies two racing MERGEs leave behind. There is no
// BigQuery here, so they run in DuckDB, which has QUALIFY and window functions as BigQuery does. What
// differs between the dialects is bridged in the smallest way that keeps the statements as the archive
// sends them (duckDbOf, and the macros in openArchive):
// - BigQuery quotes a table's whole path `project.dataset.table` in one pair of backticks; the dataset is a
//   DuckDB catalog and schema here, named without quotes, and the default dataset is DuckDB's `USE`;
// - parameters are `@name` in BigQuery, `$name` in DuckDB;
// - `TIMESTAMP(@x)` (a string to a timestamp) is a cast in DuckDB;
// - FORMAT_TIMESTAMP and TO_JSON_STRING do not exist in DuckDB: macros do what BigQuery's do for the
//   arguments `find` gives them (a UTC timestamp to the millisecond, JSON as its text).
// Event type filters (`IN UNNEST(@event_types)`) are left out: DuckDB has no such form, and a rewrite would
// test the rewrite.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { archiveEventColumns, archiveEventRow } from '@meridian/archive-sql';
import { encodeArchiveCursor, type RecordedEvent } from '@meridian/kernel';
import type { TableField } from '@google-cloud/bigquery';
import test from 'ava';
import { eventFields, eventsArchive, telemetryArchive, telemetryFields, viewQuery } from './schema.ts';
import { findQuery, type ParameterisedQuery } from './sql.ts';

const dataset = 'meridian_project.archive';

/** A BigQuery statement as DuckDB reads it: the dialect bits named above, nothing else. */
const duckDbOf = (sql: string): string =>
  sql
    .replaceAll('`', '')
    .replace(/TIMESTAMP\(@(\w+)\)/g, 'CAST($$$1 AS TIMESTAMPTZ)')
    .replace(/@(\w+)/g, '$$$1');

const duckDbTypes: Record<string, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  TIMESTAMP: 'TIMESTAMPTZ',
  JSON: 'JSON',
};
const duckDbType = (field: TableField) => duckDbTypes[field.type ?? ''] ?? `unmapped ${field.type}`;

const openArchive = async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const statement of [
    "SET TimeZone = 'UTC'",
    "ATTACH ':memory:' AS meridian_project",
    `CREATE SCHEMA ${dataset}`,
    `USE ${dataset}`,
    // For `find`'s arguments only: the format '%Y-%m-%dT%H:%M:%E3SZ' in 'UTC', and a JSON value.
    "CREATE MACRO format_timestamp(format, instant, zone) AS strftime(timezone(zone, instant), '%Y-%m-%dT%H:%M:%S.%gZ')",
    'CREATE MACRO to_json_string(value) AS CAST(value AS VARCHAR)',
  ])
    await connection.run(statement);
  for (const [archive, fields] of [
    [eventsArchive, eventFields],
    [telemetryArchive, telemetryFields],
  ] as const) {
    await connection.run(`CREATE TABLE ${archive.rows} (${fields.map((f) => `${f.name} ${duckDbType(f)}`).join(', ')})`);
    await connection.run(`CREATE VIEW ${archive.view} AS ${duckDbOf(viewQuery(archive, dataset))}`);
  }
  return connection;
};

/** Writes the rows as a MERGE would, once per copy: what two racing MERGEs of one event leave behind. */
const insertEvents = async (connection: DuckDBConnection, events: readonly RecordedEvent[]) => {
  const casts = eventFields.map((f) => (f.type === 'STRING' ? '?' : `CAST(? AS ${duckDbType(f)})`));
  for (const event of events) {
    const row = archiveEventRow(event);
    await connection.run(
      `INSERT INTO ${eventsArchive.rows} (${archiveEventColumns.join(', ')}) VALUES (${casts.join(', ')})`,
      archiveEventColumns.map((column) => row[column]),
    );
  }
};

const integerOrAsIs = (value: unknown): DuckDBValue =>
  typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : (value as DuckDBValue);

const rowsOf = async (connection: DuckDBConnection, { query, params }: ParameterisedQuery) => {
  const reader = await connection.runAndReadAll(
    duckDbOf(query),
    Object.fromEntries(Object.entries(params).map(([name, value]) => [name, integerOrAsIs(value)])),
  );
  return reader.getRowObjectsJson();
};

const event = (n: number, streamId = 'parcel-1'): RecordedEvent => ({
  eventId: `e${n}`,
  type: 'parcel.registered.v1',
  schemaVersion: 1,
  streamId,
  streamRevision: n,
  globalPosition: 100 + n,
  recordedAt: `2026-11-21T06:00:0${n}.${n}00Z`,
  data: { n },
  metadata: { correlationId: 'c', causationId: 'k', actor: { principalId: 'p', role: 'dispatcher' } },
});

// e0 and e2 twice (two archivers raced on each), e1 once, e3 on another stream three times.
const archived = [event(0), event(0), event(1), event(2), event(2), event(3, 'route-7'), event(3, 'route-7'), event(3, 'route-7')];

test('the events view answers one row per event id over row tables holding copies of events', async (t) => {
  const connection = await openArchive();
  await insertEvents(connection, archived);
  const copies = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${eventsArchive.rows}`);
  t.is(copies.getRowObjectsJson()[0]?.['n'], '8', 'the row table holds the copies');
  const view = await connection.runAndReadAll(`SELECT event_id, stream_revision FROM ${eventsArchive.view} ORDER BY global_position`);
  t.deepEqual(view.getRowObjectsJson(), [
    { event_id: 'e0', stream_revision: '0' },
    { event_id: 'e1', stream_revision: '1' },
    { event_id: 'e2', stream_revision: '2' },
    { event_id: 'e3', stream_revision: '3' },
  ]);
  const counted = await connection.runAndReadAll(`SELECT stream_id, count(*) AS n FROM ${eventsArchive.view} GROUP BY 1 ORDER BY 1`);
  t.deepEqual(counted.getRowObjectsJson(), [
    { stream_id: 'parcel-1', n: '3' },
    { stream_id: 'route-7', n: '1' },
  ]);
});

test('the telemetry view answers one row per vehicle and instant', async (t) => {
  const connection = await openArchive();
  const ping = (vehicle: string, at: string) =>
    connection.run(`INSERT INTO ${telemetryArchive.rows} VALUES ($vehicle, 52.37, 4.89, 10, 90, CAST($at AS TIMESTAMPTZ))`, {
      vehicle,
      at,
    });
  for (const [vehicle, at] of [
    ['van-1', '2026-11-21T06:00:00.000Z'],
    ['van-1', '2026-11-21T06:00:00.000Z'],
    ['van-1', '2026-11-21T06:00:05.000Z'],
    ['van-2', '2026-11-21T06:00:00.000Z'],
    ['van-2', '2026-11-21T06:00:00.000Z'],
  ])
    await ping(vehicle!, at!);
  const view = await connection.runAndReadAll(`SELECT vehicle_id, count(*) AS n FROM ${telemetryArchive.view} GROUP BY 1 ORDER BY 1`);
  t.deepEqual(view.getRowObjectsJson(), [
    { vehicle_id: 'van-1', n: '2' },
    { vehicle_id: 'van-2', n: '1' },
  ]);
});

test('find pages through one row per event, whatever copies the row table holds, with and without filters', async (t) => {
  const connection = await openArchive();
  await insertEvents(connection, archived);
  const ids = (rows: readonly Record<string, unknown>[]) => rows.map((row) => row['event_id']);

  // A page of 2 asks for 3 rows (one more, to know whether there is a next page).
  const first = await rowsOf(connection, findQuery({}, { limit: 2 }));
  t.deepEqual(ids(first), ['e0', 'e1', 'e2']);
  const after = encodeArchiveCursor({ globalPosition: 101, eventId: 'e1' });
  t.deepEqual(ids(await rowsOf(connection, findQuery({}, { limit: 2, after }))), ['e2', 'e3']);

  const window = { from: '2026-11-21T06:00:00.000Z', to: '2026-11-21T06:00:03.000Z' };
  t.deepEqual(ids(await rowsOf(connection, findQuery({ streamId: 'parcel-1', ...window }, { limit: 10 }))), ['e0', 'e1', 'e2']);
  t.deepEqual(ids(await rowsOf(connection, findQuery({ streamId: 'route-7' }, { limit: 10 }))), ['e3']);

  // And each row as find reads it back: the instant to the millisecond, the JSON as text.
  t.like(first[0], { event_id: 'e0', recorded_at: '2026-11-21T06:00:00.000Z', data: '{"n":0}', global_position: '100' });
  t.like(first[2], { event_id: 'e2', recorded_at: '2026-11-21T06:00:02.200Z' });
});
