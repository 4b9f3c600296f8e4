// BigQuery's result rows as the archive port hands them out: events read back exactly, and query answers
// JSON-ready in the same shapes the DuckDB archive gives.
import { BigQueryDate, BigQueryDatetime, BigQueryInt, BigQueryTime, BigQueryTimestamp, Geography } from '@google-cloud/bigquery';
import { type RecordedEvent, type SqlResult } from '@meridian/kernel';
import { eventFromArchiveRow } from '@meridian/archive-sql';

const text = (row: Readonly<Record<string, unknown>>, column: string): string => {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`archive row: ${column} should be text, got ${String(value)}`);
  return value;
};

const integer = (row: Readonly<Record<string, unknown>>, column: string): number => {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new TypeError(`archive row: ${column} should be an integer, got ${String(value)}`);
  return value;
};

/** A row of the find query (see sql.ts: recorded_at formatted, data and metadata as JSON text). */
export const eventOfRow = (row: Readonly<Record<string, unknown>>): RecordedEvent =>
  eventFromArchiveRow({
    event_id: text(row, 'event_id'),
    type: text(row, 'type'),
    schema_version: integer(row, 'schema_version'),
    stream_id: text(row, 'stream_id'),
    stream_revision: integer(row, 'stream_revision'),
    global_position: integer(row, 'global_position'),
    recorded_at: text(row, 'recorded_at'),
    data: text(row, 'data'),
    metadata: text(row, 'metadata'),
  });

/**
 * The client prints timestamps to the nanosecond ('…:01.123456000Z'); BigQuery keeps microseconds. Printed
 * as the DuckDB archive prints them: milliseconds always, microseconds when there are any.
 */
export const timestampText = (value: string): string => {
  const parts = /^(.+T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(value);
  if (parts === null) return value;
  const fraction = (parts[2] ?? '').padEnd(6, '0');
  const micros = fraction.slice(3, 6);
  return `${parts[1]}.${fraction.slice(0, 3)}${micros === '000' ? '' : micros}Z`;
};

const isPlainObject = (value: object): value is Record<string, unknown> => Object.getPrototypeOf(value) === Object.prototype;

/**
 * The client's wrappers unwrapped: integers (read with wrapIntegers, so none is cut short) as numbers while
 * exact, as strings beyond; timestamps, dates and geographies as their text; NUMERIC (big.js) as its decimal
 * text; bytes as base64. STRUCTs and ARRAYs keep their shape, with their values unwrapped the same way.
 */
export const jsonReady = (value: unknown): unknown => {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return value;
  if (value instanceof BigQueryInt) return Number.isSafeInteger(Number(value.value)) ? Number(value.value) : value.value;
  if (value instanceof BigQueryTimestamp) return timestampText(value.value);
  if (value instanceof BigQueryDate || value instanceof BigQueryDatetime || value instanceof BigQueryTime || value instanceof Geography)
    return value.value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(jsonReady);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, jsonReady(v)]));
  return String(value);
};

export const sqlResultOf = (columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]): SqlResult => ({
  columns,
  rows: rows.map((row) => columns.map((column) => jsonReady(row[column]))),
});
