// The archive's find as one parameterised DuckDB query: every filter a condition, pages by keyset on
// (global_position, event_id), one row more than the page to know whether another follows.
import { archivePageLimit, decodeArchiveCursor, type ArchiveFilter } from '@meridian/kernel';
import { archiveInstant, archiveTables } from '@meridian/archive-sql';

export type FindQuery = { readonly sql: string; readonly params: (string | number)[] };

type Condition = { readonly sql: string; readonly params: readonly (string | number)[] };

const equals = (column: string, value: string | undefined): Condition[] =>
  value === undefined ? [] : [{ sql: `${column} = ?`, params: [value] }];

const anyOf = (column: string, values: readonly string[] | undefined): Condition[] => {
  if (values === undefined) return [];
  if (values.length === 0) return [{ sql: 'FALSE', params: [] }];
  return [{ sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: values }];
};

const window = (filter: ArchiveFilter): Condition[] => [
  ...(filter.from === undefined ? [] : [{ sql: 'recorded_at >= ?::TIMESTAMPTZ', params: [archiveInstant(filter.from)] }]),
  ...(filter.to === undefined ? [] : [{ sql: 'recorded_at < ?::TIMESTAMPTZ', params: [archiveInstant(filter.to)] }]),
];

const after = (cursor: string | undefined): Condition[] => {
  if (cursor === undefined) return [];
  const { globalPosition, eventId } = decodeArchiveCursor(cursor);
  return [{ sql: '(global_position > ? OR (global_position = ? AND event_id > ?))', params: [globalPosition, globalPosition, eventId] }];
};

export const findQuery = (filter: ArchiveFilter, page: { readonly limit: number; readonly after?: string }): FindQuery => {
  const conditions = [
    ...equals('stream_id', filter.streamId),
    ...equals('correlation_id', filter.correlationId),
    ...anyOf('type', filter.eventTypes),
    ...equals('aggregate_type', filter.aggregateType),
    ...equals('principal_id', filter.principalId),
    ...window(filter),
    ...after(page.after),
  ];
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.map((c) => c.sql).join(' AND ')}`;
  return {
    sql: `SELECT event_id, type, schema_version, stream_id, stream_revision, global_position, recorded_at, data, metadata
      FROM ${archiveTables.events} ${where}
      ORDER BY global_position, event_id
      LIMIT ${archivePageLimit(page.limit) + 1}`,
    params: conditions.flatMap((c) => c.params),
  };
};
