// The archive's statements in GoogleSQL, built from data and always parameterised: nothing an event or a
// filter carries is ever spliced into the text. Table names are unqualified; the queries run with the
// archive's dataset as their default dataset.
//
// Writes are MERGE statements into the row tables (schema.ts), keyed on the row's identity, with a batch as
// one parameter (an array of STRUCTs, UNNESTed): an event already archived matches and is skipped, so a
// redelivered or replayed batch inserts nothing. That keeps one row per identity in the common case; two
// MERGEs of one new row racing in two processes can both insert it, which the reads absorb (schema.ts).
// Streaming inserts were the other way in, and their insertId de-duplication is only best-effort (a short
// window, no guarantee).
//
// A MERGE reads its target's keys to find what is archived already, and BigQuery bills the columns it reads
// in the partitions and clustered blocks it cannot prune. So the target is bounded by what the batch
// covers, in terms BigQuery prunes on: the days of its rows (the partitions) and its streams or vehicles
// (the leading clustered columns). Each bound is safe because an archived copy of a row has the same
// recorded_at and the same stream or vehicle as the row.
import { archivePageLimit, decodeArchiveCursor, type ArchivedPing, type ArchiveFilter } from '@meridian/kernel';
import { archiveEventColumns, archiveInstant, archiveTelemetryColumns, type ArchiveEventRow } from '@meridian/archive-sql';
import { eventsArchive, firstOfEach, telemetryArchive } from './schema.ts';

type ParamType = string | string[] | { readonly [field: string]: string }[];

export type ParameterisedQuery = {
  readonly query: string;
  readonly params: Record<string, unknown>;
  /** Every parameter's type, so nulls and empty arrays are typed too. */
  readonly types: Record<string, ParamType>;
};

const integerColumns: ReadonlySet<string> = new Set(['schema_version', 'stream_revision', 'global_position']);

/** The STRUCT type of one event row as a parameter: text travels as STRING and is converted in the statement. */
export const eventRowType = Object.fromEntries(
  archiveEventColumns.map((column) => [column, integerColumns.has(column) ? 'INT64' : 'STRING']),
);

/** JSON from JavaScript numbers always fits a FLOAT64 or INT64; 'round' keeps a surprise from blocking the archiver. */
const asJson = (column: string) => `PARSE_JSON(source.${column}, wide_number_mode => 'round')`;

const eventValue = (column: string) => {
  if (column === 'recorded_at') return 'TIMESTAMP(source.recorded_at)';
  if (column === 'data' || column === 'metadata') return asJson(column);
  return `source.${column}`;
};

/**
 * The batch's time span, from its first instant to just past its last. The upper bound is exclusive and a
 * millisecond past the last instant, truncated to the millisecond: an instant with microseconds still falls
 * inside.
 */
const spanOf = (recordedAt: readonly string[]) => {
  const instants = recordedAt.map((at) => Date.parse(archiveInstant(at))).sort((a, b) => a - b);
  const first = instants[0] ?? 0;
  const last = instants[instants.length - 1] ?? 0;
  return { first_recorded_at: new Date(first).toISOString(), after_last_recorded_at: new Date(last + 1).toISOString() };
};

const targetWithinSpan = 'target.recorded_at >= TIMESTAMP(@first_recorded_at) AND target.recorded_at < TIMESTAMP(@after_last_recorded_at)';
const spanTypes = { first_recorded_at: 'STRING', after_last_recorded_at: 'STRING' } as const;

const distinct = (values: readonly string[]) => [...new Set(values)].sort();

export const mergeEventsQuery = (rows: readonly ArchiveEventRow[]): ParameterisedQuery => ({
  query: `MERGE ${eventsArchive.rows} AS target
USING (SELECT * FROM UNNEST(@rows)) AS source
ON target.event_id = source.event_id AND target.stream_id IN UNNEST(@stream_ids) AND ${targetWithinSpan}
WHEN NOT MATCHED THEN
  INSERT (${archiveEventColumns.join(', ')})
  VALUES (${archiveEventColumns.map(eventValue).join(', ')})`,
  params: { rows, stream_ids: distinct(rows.map((r) => r.stream_id)), ...spanOf(rows.map((r) => r.recorded_at)) },
  types: { rows: [eventRowType], stream_ids: ['STRING'], ...spanTypes },
});

export const pingRowType = {
  vehicle_id: 'STRING',
  lat: 'FLOAT64',
  lng: 'FLOAT64',
  speed: 'FLOAT64',
  heading: 'FLOAT64',
  recorded_at: 'STRING',
};

/** A ping as a row of the parameter. */
export const pingRow = (ping: ArchivedPing) => ({
  vehicle_id: ping.vehicleId,
  lat: ping.lat,
  lng: ping.lng,
  speed: ping.speed,
  heading: ping.heading,
  recorded_at: ping.recordedAt,
});

export const mergeTelemetryQuery = (pings: readonly ArchivedPing[]): ParameterisedQuery => ({
  query: `MERGE ${telemetryArchive.rows} AS target
USING (SELECT * FROM UNNEST(@rows)) AS source
ON target.vehicle_id = source.vehicle_id AND target.recorded_at = TIMESTAMP(source.recorded_at) AND target.vehicle_id IN UNNEST(@vehicle_ids) AND ${targetWithinSpan}
WHEN NOT MATCHED THEN
  INSERT (${archiveTelemetryColumns.join(', ')})
  VALUES (${archiveTelemetryColumns.map((c) => (c === 'recorded_at' ? 'TIMESTAMP(source.recorded_at)' : `source.${c}`)).join(', ')})`,
  params: { rows: pings.map(pingRow), vehicle_ids: distinct(pings.map((p) => p.vehicleId)), ...spanOf(pings.map((p) => p.recordedAt)) },
  types: { rows: [pingRowType], vehicle_ids: ['STRING'], ...spanTypes },
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
  value === undefined
    ? []
    : [{ sql: `recorded_at ${operator} TIMESTAMP(@${name})`, params: { [name]: archiveInstant(value) }, types: { [name]: 'STRING' } }];

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

/**
 * recordedAt as the envelope has it (`Date#toISOString`), data and metadata as JSON text, to read back
 * exactly. It reads the row table, filters, then keeps one row per event id: the filters reach the
 * partitions and clusters, and copies of one event (schema.ts) share every filtered column.
 */
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
  const where = `WHERE ${conditions.length === 0 ? 'TRUE' : conditions.map((c) => c.sql).join(' AND ')}`;
  return {
    query: `SELECT event_id, type, schema_version, stream_id, stream_revision, global_position,
  FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', recorded_at, 'UTC') AS recorded_at,
  TO_JSON_STRING(data) AS data, TO_JSON_STRING(metadata) AS metadata
FROM ${eventsArchive.rows}
${where}
${firstOfEach(['event_id'])}
ORDER BY global_position, event_id
LIMIT @limit`,
    params: { limit: limit + 1, ...Object.fromEntries(conditions.flatMap((c) => Object.entries(c.params))) },
    types: { limit: 'INT64', ...Object.fromEntries(conditions.flatMap((c) => Object.entries(c.types))) },
  };
};
