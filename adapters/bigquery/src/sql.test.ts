// The BigQuery archive's statements, checked without BigQuery: what they key on, what they bind, and that
// nothing a caller gives reaches the SQL text.
import { BigQuery } from '@google-cloud/bigquery';
import { encodeArchiveCursor, type RecordedEvent } from '@meridian/kernel';
import { archiveEventColumns, archiveEventRow } from '@meridian/archive-sql';
import test from 'ava';
import { findQuery, mergeEventsQuery, mergeTelemetryQuery, type ParameterisedQuery } from './sql.ts';

const event = (n: number, recordedAt: string): RecordedEvent => ({
  eventId: `e${n}`,
  type: 'parcel.registered.v1',
  schemaVersion: 1,
  streamId: 'parcel-1',
  streamRevision: n,
  globalPosition: 100 + n,
  recordedAt,
  data: { n },
  metadata: { correlationId: 'c', causationId: 'k', actor: { principalId: 'p', role: 'dispatcher' } },
});

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/** The parameters as the client would send them: its own translation of values and types, so a type mistake shows here. */
const requestOf = (query: ParameterisedQuery) =>
  Object.keys(query.params).map((name) => ({ name, ...BigQuery.valueToQueryParameter_(query.params[name], query.types[name]) }));

test('events MERGE: keyed on event_id, inserts only when not matched, every column in table order', (t) => {
  const rows = [event(0, '2026-11-21T06:00:00.000Z'), event(1, '2026-11-20T23:59:59.999Z')].map(archiveEventRow);
  const { query, params } = mergeEventsQuery(rows);
  const sql = oneLine(query);
  t.true(sql.startsWith('MERGE event_rows AS target USING (SELECT * FROM UNNEST(@rows)) AS source ON target.event_id = source.event_id'));
  t.regex(sql, /WHEN NOT MATCHED THEN INSERT \(/);
  t.notRegex(sql, /WHEN MATCHED|UPDATE|DELETE/, 'an archived event is never rewritten');
  t.true(sql.includes(`INSERT (${archiveEventColumns.join(', ')})`));
  t.true(sql.includes('TIMESTAMP(source.recorded_at)'));
  t.true(sql.includes("PARSE_JSON(source.data, wide_number_mode => 'round')"));
  t.true(sql.includes("PARSE_JSON(source.metadata, wide_number_mode => 'round')"));
  t.deepEqual(params['rows'], rows);
});

test("events MERGE: the target is bounded by the batch's days and streams, which BigQuery prunes on", (t) => {
  const rows = [
    event(0, '2026-11-21T06:00:00.000Z'),
    { ...event(1, '2026-11-20T23:59:59.999Z'), streamId: 'route-7' },
    event(2, '2026-11-21T05:00:00.000Z'),
  ].map(archiveEventRow);
  const { query, params, types } = mergeEventsQuery(rows);
  t.true(
    oneLine(query).includes(
      'ON target.event_id = source.event_id AND target.stream_id IN UNNEST(@stream_ids) AND target.recorded_at ' +
        '>= TIMESTAMP(@first_recorded_at) AND target.recorded_at < TIMESTAMP(@after_last_recorded_at)',
    ),
  );
  t.deepEqual(params['stream_ids'], ['parcel-1', 'route-7']);
  t.is(params['first_recorded_at'], '2026-11-20T23:59:59.999Z');
  t.is(params['after_last_recorded_at'], '2026-11-21T06:00:00.001Z', 'just past the last instant');
  t.deepEqual(types['stream_ids'], ['STRING']);
  t.notThrows(() => requestOf(mergeEventsQuery(rows)));
});

test('the batch span is not cut short by an instant with microseconds', (t) => {
  const rows = [archiveEventRow(event(0, '2026-11-21T06:00:00.123456Z'))];
  const { params } = mergeEventsQuery(rows);
  t.is(params['first_recorded_at'], '2026-11-21T06:00:00.123Z');
  t.is(params['after_last_recorded_at'], '2026-11-21T06:00:00.124Z', '.123456 lies before it');
});

test('events MERGE: the batch is one ARRAY of STRUCTs with a type for every column, nulls included', (t) => {
  const row = archiveEventRow(event(0, '2026-11-21T06:00:00.000Z'));
  t.is(row.request_id, null);
  const rowsParam = requestOf(mergeEventsQuery([row])).find((p) => p.name === 'rows');
  const struct = rowsParam?.parameterType?.arrayType;
  t.is(struct?.type, 'STRUCT');
  t.deepEqual(
    (struct?.structTypes ?? []).map((f) => `${f.name}:${f.type?.type}`),
    archiveEventColumns.map((c) => `${c}:${['schema_version', 'stream_revision', 'global_position'].includes(c) ? 'INT64' : 'STRING'}`),
  );
});

test("telemetry MERGE: keyed on vehicle and instant, the target bounded by the batch's vehicles and days", (t) => {
  const pings = [
    { vehicleId: 'v2', lat: 50.85, lng: 4.35, speed: 30, heading: 90, recordedAt: '2026-11-21T06:00:00.000Z' },
    { vehicleId: 'v1', lat: 50.85, lng: 4.35, speed: 30, heading: 90, recordedAt: '2026-11-21T06:00:05.000Z' },
    { vehicleId: 'v2', lat: 50.85, lng: 4.35, speed: 30, heading: 90, recordedAt: '2026-11-21T06:00:05.000Z' },
  ];
  const { query, params } = mergeTelemetryQuery(pings);
  const sql = oneLine(query);
  t.true(sql.startsWith('MERGE telemetry_rows AS target'));
  t.true(
    sql.includes(
      'ON target.vehicle_id = source.vehicle_id AND target.recorded_at = TIMESTAMP(source.recorded_at) AND ' +
        'target.vehicle_id IN UNNEST(@vehicle_ids) AND target.recorded_at >= TIMESTAMP(@first_recorded_at) AND ' +
        'target.recorded_at < TIMESTAMP(@after_last_recorded_at)',
    ),
  );
  t.true(
    sql.includes(
      'INSERT (vehicle_id, lat, lng, speed, heading, recorded_at) VALUES (source.vehicle_id, source.lat, source.lng, source.speed, source.heading, TIMESTAMP(source.recorded_at))',
    ),
  );
  t.deepEqual(
    params['rows'],
    pings.map(({ vehicleId, recordedAt, ...rest }) => ({ vehicle_id: vehicleId, ...rest, recorded_at: recordedAt })),
  );
  t.deepEqual(params['vehicle_ids'], ['v1', 'v2']);
  t.like(params, { first_recorded_at: '2026-11-21T06:00:00.000Z', after_last_recorded_at: '2026-11-21T06:00:05.001Z' });
  t.notThrows(() => requestOf(mergeTelemetryQuery(pings)));
});

test('find: every filter a bound parameter, in global position order, one row past the page', (t) => {
  const hostile = "x' OR 1=1 --";
  const { query, params, types } = findQuery(
    {
      streamId: hostile,
      correlationId: 'c',
      eventTypes: ['a.v1', 'b.v1'],
      aggregateType: 'parcel',
      principalId: 'p',
      from: '2026-11-21T07:00:00+01:00',
      to: '2026-11-22T00:00:00Z',
    },
    { limit: 50, after: encodeArchiveCursor({ globalPosition: 42, eventId: 'e42' }) },
  );
  const sql = oneLine(query);
  t.false(sql.includes(hostile), 'values never reach the text');
  for (const condition of [
    'stream_id = @stream_id',
    'correlation_id = @correlation_id',
    'type IN UNNEST(@event_types)',
    'aggregate_type = @aggregate_type',
    'principal_id = @principal_id',
    'recorded_at >= TIMESTAMP(@from)',
    'recorded_at < TIMESTAMP(@to)',
    '(global_position > @after_position OR (global_position = @after_position AND event_id > @after_event_id))',
  ])
    t.true(sql.includes(condition), condition);
  t.true(sql.includes('FROM event_rows WHERE '), 'the row table, where filters reach partitions and clusters');
  t.true(
    sql.endsWith('QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id) = 1 ORDER BY global_position, event_id LIMIT @limit'),
    'then one row per event',
  );
  t.like(params, {
    stream_id: hostile,
    event_types: ['a.v1', 'b.v1'],
    from: '2026-11-21T06:00:00.000Z',
    to: '2026-11-22T00:00:00.000Z',
    after_position: 42,
    after_event_id: 'e42',
    limit: 51,
  });
  t.deepEqual(Object.keys(types).sort(), Object.keys(params).sort(), 'every parameter typed');
  t.true(sql.includes("FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', recorded_at, 'UTC') AS recorded_at"));
  t.true(sql.includes('TO_JSON_STRING(data) AS data'));
});

test('find: no filter reads everything; no event types match nothing; bad limits and cursors are refused', (t) => {
  t.true(oneLine(findQuery({}, { limit: 10 }).query).includes('FROM event_rows WHERE TRUE QUALIFY'));
  t.true(oneLine(findQuery({ eventTypes: [] }, { limit: 10 }).query).includes('WHERE FALSE QUALIFY'));
  t.throws(() => findQuery({}, { limit: 0 }), { instanceOf: RangeError });
  t.throws(() => findQuery({}, { limit: 1_001 }), { instanceOf: RangeError });
  t.throws(() => findQuery({}, { limit: 10, after: 'nope' }), { instanceOf: RangeError });
  t.throws(() => findQuery({ from: 'yesterday' }, { limit: 10 }), { instanceOf: RangeError });
});
