// The archive's statements in GoogleSQL, built from data and always parameterised: nothing an event or a
// filter carries is ever spliced into the text. Table names are unqualified; the queries run with the
// archive's dataset as their default dataset.
//
// Writes are MERGE statements keyed on the row's identity, with the batch as one parameter (an array of
// STRUCTs, UNNESTed): an event already archived matches and is skipped, so a redelivered or replayed
// batch inserts nothing. Streaming inserts were the other way in, and their insertId de-duplication is
// only best-effort (a short window, no guarantee), which the archive's "one row per event" cannot rest on.
import {
  archiveEventColumns,
  archiveInstant,
  archivePageLimit,
  archiveTables,
  archiveTelemetryColumns,
  decodeArchiveCursor,
  type ArchivedPing,
  type ArchiveEventRow,
  type ArchiveFilter,
} from '@meridian/kernel';

type ParamType = string | string[] | { readonly [field: string]: string }[];

export type ParameterisedQuery = {
  readonly query: string;
  readonly params: Record<string, unknown>;
  /** Every parameter's type, so nulls and empty arrays are typed too. */
  readonly types: Record<string, ParamType>;
};

const integerColumns: ReadonlySet<string> = new Set(['schema_version', 'stream_revision', 'global_position']);

/** The STRUCT type of one event row as a parameter: text travels as STRING and is converted in the statement. */
const eventRowType = Object.fromEntries(archiveEventColumns.map((column) => [column, integerColumns.has(column) ? 'INT64' : 'STRING']));

/** JSON from JavaScript numbers always fits a FLOAT64 or INT64; 'round' keeps a surprise from blocking the archiver. */
const asJson = (column: string) => `PARSE_JSON(source.${column}, wide_number_mode => 'round')`;

const eventValue = (column: string) => {
  if (column === 'recorded_at') return 'TIMESTAMP(source.recorded_at)';
  if (column === 'data' || column === 'metadata') return asJson(column);
  return `source.${column}`;
};

const instantsOf = (recordedAt: readonly string[]) => {
  const sorted = recordedAt.map(archiveInstant).sort();
  return { first_recorded_at: sorted[0] ?? '', last_recorded_at: sorted[sorted.length - 1] ?? '' };
};

/**
 * The batch's time span also bounds the target: the table is partitioned by day on recorded_at, and without
 * that bound every MERGE would scan the whole table's keys, a cost growing with the archive. It is safe
 * because an event's recordedAt never changes: an archived copy of an event in the batch lies in the span.
 */
const targetWithinBatch = 'target.recorded_at BETWEEN TIMESTAMP(@first_recorded_at) AND TIMESTAMP(@last_recorded_at)';

export const mergeEventsQuery = (rows: readonly ArchiveEventRow[]): ParameterisedQuery => ({
  query: `MERGE ${archiveTables.events} AS target
USING (SELECT * FROM UNNEST(@rows)) AS source
ON target.event_id = source.event_id AND ${targetWithinBatch}
WHEN NOT MATCHED THEN
  INSERT (${archiveEventColumns.join(', ')})
  VALUES (${archiveEventColumns.map(eventValue).join(', ')})`,
  params: { rows, ...instantsOf(rows.map((r) => r.recorded_at)) },
  types: { rows: [eventRowType], first_recorded_at: 'STRING', last_recorded_at: 'STRING' },
});

const pingRowType = { vehicle_id: 'STRING', lat: 'FLOAT64', lng: 'FLOAT64', speed: 'FLOAT64', heading: 'FLOAT64', recorded_at: 'STRING' };

const pingRow = (ping: ArchivedPing) => ({
  vehicle_id: ping.vehicleId,
  lat: ping.lat,
  lng: ping.lng,
  speed: ping.speed,
  heading: ping.heading,
  recorded_at: ping.recordedAt,
});

export const mergeTelemetryQuery = (pings: readonly ArchivedPing[]): ParameterisedQuery => ({
  query: `MERGE ${archiveTables.telemetry} AS target
USING (SELECT * FROM UNNEST(@rows)) AS source
ON target.vehicle_id = source.vehicle_id AND target.recorded_at = TIMESTAMP(source.recorded_at) AND ${targetWithinBatch}
WHEN NOT MATCHED THEN
  INSERT (${archiveTelemetryColumns.join(', ')})
  VALUES (${archiveTelemetryColumns.map((c) => (c === 'recorded_at' ? 'TIMESTAMP(source.recorded_at)' : `source.${c}`)).join(', ')})`,
  params: { rows: pings.map(pingRow), ...instantsOf(pings.map((p) => p.recordedAt)) },
  types: { rows: [pingRowType], first_recorded_at: 'STRING', last_recorded_at: 'STRING' },
});

type Condition = { readonly sql: string; readonly params: Record<string, unknown>; readonly types: Record<string, ParamType> };

const equals = (column: string, value: string | undefined): Condition[] =>
  value === undefined ? [] : [{ sql: `${column} = @${column}`, params: { [column]: value }, types: { [column]: 'STRING' } }];

const anyType = (types: readonly string[] | undefined): Condition[] => {
  if (types === undefined) return [];
  if (types.length === 0) return [{ sql: 'FALSE', params: {}, types: {} }];
  return [{ sql: 'type IN UNNEST(@event_types)', params: { event_types: types }, types: { event_types: ['STRING'] } }];
};

const bound = (name: 'from' | 'to', operator: '>=' | '<', value: string | undefined): Condition[] =>
  value === undefined ? [] : [{ sql: `recorded_at ${operator} TIMESTAMP(@${name})`, params: { [name]: archiveInstant(value) }, types: { [name]: 'STRING' } }];

const after = (cursor: string | undefined): Condition[] => {
  if (cursor === undefined) return [];
  const { globalPosition, eventId } = decodeArchiveCursor(cursor);
  return [
    {
      sql: '(global_position > @after_position OR (global_position = @after_position AND event_id > @after_event_id))',
      params: { after_position: globalPosition, after_event_id: eventId },
      types: { after_position: 'INT64', after_event_id: 'STRING' },
    },
  ];
};

/** recordedAt as the envelope has it (`Date#toISOString`), data and metadata as JSON text, to read back exactly. */
export const findQuery = (filter: ArchiveFilter, page: { readonly limit: number; readonly after?: string }): ParameterisedQuery => {
  const limit = archivePageLimit(page.limit);
  const conditions = [
    ...equals('stream_id', filter.streamId),
    ...equals('correlation_id', filter.correlationId),
    ...anyType(filter.eventTypes),
    ...equals('aggregate_type', filter.aggregateType),
    ...equals('principal_id', filter.principalId),
    ...bound('from', '>=', filter.from),
    ...bound('to', '<', filter.to),
    ...after(page.after),
  ];
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.map((c) => c.sql).join(' AND ')}`;
  return {
    query: `SELECT event_id, type, schema_version, stream_id, stream_revision, global_position,
  FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', recorded_at, 'UTC') AS recorded_at,
  TO_JSON_STRING(data) AS data, TO_JSON_STRING(metadata) AS metadata
FROM ${archiveTables.events}
${where}
ORDER BY global_position, event_id
LIMIT @limit`,
    params: { limit: limit + 1, ...Object.fromEntries(conditions.flatMap((c) => Object.entries(c.params))) },
    types: { limit: 'INT64', ...Object.fromEntries(conditions.flatMap((c) => Object.entries(c.types))) },
  };
};
