// Reading BigQuery's answers without BigQuery: rows built by the client's own parser from the wire format.
import { BigQuery, type TableField } from '@google-cloud/bigquery';
import { type RecordedEvent } from '@meridian/kernel';
import { archiveEventRow } from '@meridian/archive-sql';
import test from 'ava';
import { eventOfRow, sqlResultOf, timestampText } from './rows.ts';

/** Rows as the client hands them over for a response with this schema and these wire values. */
const parsed = (fields: TableField[], values: (string | null)[][], wrapIntegers = false): Record<string, unknown>[] =>
  BigQuery.mergeSchemaWithRows_(
    { fields },
    values.map((row) => ({ f: row.map((v) => ({ v })) })),
    {
      wrapIntegers,
      listParams: { 'formatOptions.useInt64Timestamp': true },
    },
  );

const event: RecordedEvent = {
  eventId: 'e1',
  type: 'parcel.registered.v1',
  schemaVersion: 2,
  streamId: 'parcel-1',
  streamRevision: 0,
  globalPosition: 2 ** 40,
  recordedAt: '2026-11-21T06:00:01.123Z',
  data: { weight: 1.5, tags: ['fragile'], none: null },
  metadata: {
    correlationId: 'c',
    causationId: 'k',
    requestId: 'r',
    actor: { principalId: 'p', role: 'client', clientId: 'acme' },
    traceparent: 't',
  },
};

test('a find row reads back as the event that was written', (t) => {
  const row = archiveEventRow(event);
  const fields: TableField[] = [
    { name: 'event_id', type: 'STRING' },
    { name: 'type', type: 'STRING' },
    { name: 'schema_version', type: 'INT64' },
    { name: 'stream_id', type: 'STRING' },
    { name: 'stream_revision', type: 'INT64' },
    { name: 'global_position', type: 'INT64' },
    { name: 'recorded_at', type: 'STRING' },
    { name: 'data', type: 'STRING' },
    { name: 'metadata', type: 'STRING' },
  ];
  const [read] = parsed(fields, [
    [row.event_id, row.type, '2', row.stream_id, '0', String(2 ** 40), '2026-11-21T06:00:01.123Z', row.data, row.metadata],
  ]);
  t.deepEqual(eventOfRow(read!), event);
});

test('a find row that is not an event fails loudly', (t) => {
  t.throws(() => eventOfRow({ event_id: 'e1' }), { instanceOf: TypeError });
  const row = { ...archiveEventRow(event), metadata: '{"correlationId":"c"}' };
  t.throws(() => eventOfRow(row), { message: /e1 does not read back as an event/ });
});

test('sql answers are JSON-ready: integers exact, timestamps RFC 3339, JSON as text, nesting kept', (t) => {
  const fields: TableField[] = [
    { name: 'n', type: 'INT64' },
    { name: 'big', type: 'INT64' },
    { name: 'at', type: 'TIMESTAMP' },
    { name: 'day', type: 'DATE' },
    { name: 'doc', type: 'JSON' },
    { name: 'price', type: 'NUMERIC' },
    { name: 'ratio', type: 'FLOAT64' },
    { name: 'nothing', type: 'STRING' },
    { name: 'list', type: 'INT64', mode: 'REPEATED' },
  ];
  const rows = BigQuery.mergeSchemaWithRows_(
    { fields },
    [
      {
        f: [
          { v: '6' },
          { v: '9007199254740993' },
          { v: '1795240801123456' },
          { v: '2026-11-21' },
          { v: '{"a":1}' },
          { v: '1.25' },
          { v: '0.5' },
          { v: null },
          { v: [{ v: '1' }, { v: '2' }] },
        ],
      },
    ],
    { wrapIntegers: true, listParams: { 'formatOptions.useInt64Timestamp': true } },
  );
  t.deepEqual(
    sqlResultOf(
      fields.map((f) => f.name ?? ''),
      rows,
    ),
    {
      columns: ['n', 'big', 'at', 'day', 'doc', 'price', 'ratio', 'nothing', 'list'],
      rows: [[6, '9007199254740993', '2026-11-21T06:00:01.123456Z', '2026-11-21', '{"a":1}', '1.25', 0.5, null, [1, 2]]],
    },
  );
});

test('timestamps print like the DuckDB archive: milliseconds always, microseconds when there are any', (t) => {
  t.is(timestampText('2026-11-21T06:00:01.123456000Z'), '2026-11-21T06:00:01.123456Z');
  t.is(timestampText('2026-11-21T06:00:01.123000000Z'), '2026-11-21T06:00:01.123Z');
  t.is(timestampText('2026-11-21T06:00:01Z'), '2026-11-21T06:00:01.000Z');
  t.is(timestampText('not a timestamp'), 'not a timestamp');
});
