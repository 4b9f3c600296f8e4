// DuckDB's values as the archive port hands them out: JSON-ready, the same shapes BigQuery gives.
import {
  DuckDBTimestampTZValue,
  JsonDuckDBValueConverter,
  type DuckDBResultReader,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import type { SqlResult } from '@meridian/kernel';

/** RFC 3339 in UTC; DuckDB keeps microseconds, so they are printed when there are any. */
export const isoOfMicros = (micros: bigint): string => {
  const millis = micros / 1000n;
  const extra = micros % 1000n;
  const iso = new Date(Number(millis)).toISOString();
  return extra === 0n ? iso : `${iso.slice(0, -1)}${String(extra).padStart(3, '0')}Z`;
};

/** A TIMESTAMPTZ as the envelope's recordedAt (`Date#toISOString`, to the millisecond). */
export const recordedAtOf = (value: DuckDBValue): string => {
  if (!(value instanceof DuckDBTimestampTZValue)) throw new TypeError(`expected a TIMESTAMPTZ, got ${String(value)}`);
  return new Date(Number(value.micros / 1000n)).toISOString();
};

export const numberOf = (value: DuckDBValue): number => {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) return Number(value);
  throw new TypeError(`expected a number, got ${String(value)}`);
};

export const textOf = (value: DuckDBValue): string => {
  if (typeof value !== 'string') throw new TypeError(`expected text, got ${String(value)}`);
  return value;
};

/**
 * The library's JSON conversion, except that 64-bit integers (counts, positions) stay numbers while they are
 * exact, and timestamps read as RFC 3339 rather than DuckDB's display form. Nested values go through here too.
 */
const jsonReady: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof DuckDBTimestampTZValue) return value.isFinite ? isoOfMicros(value.micros) : String(value);
  return JsonDuckDBValueConverter(value, type, converter);
};

export const sqlResultOf = (reader: DuckDBResultReader): SqlResult => ({
  columns: reader.columnNames(),
  rows: reader.convertRows(jsonReady),
});
