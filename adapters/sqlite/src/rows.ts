// The rows node:sqlite hands back are records of SQL values; these read one column as the type the schema
// gives it. The schemas are STRICT (SQLite refuses a value of another type), so a mismatch here means the
// query and the schema disagree: a bug, thrown with the column's name.
import type { SQLOutputValue } from 'node:sqlite';

export type Row = Readonly<Record<string, SQLOutputValue>>;

const mismatch = (column: string, expected: string, value: SQLOutputValue | undefined) =>
  new TypeError(`column ${column}: expected ${expected}, got ${value === null ? 'NULL' : typeof value}`);

export const integerIn = (row: Row, column: string): number => {
  const value = row[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw mismatch(column, 'an integer', value);
};

export const textIn = (row: Row, column: string): string => {
  const value = row[column];
  if (typeof value === 'string') return value;
  throw mismatch(column, 'text', value);
};

export const nullableTextIn = (row: Row, column: string): string | null => (row[column] === null ? null : textIn(row, column));

export const nullableIntegerIn = (row: Row, column: string): number | null => (row[column] === null ? null : integerIn(row, column));
