// The log's anchors in DuckDB (see the kernel's LogAnchor): one row per position, the first kept.
import { archivePageLimit, type LogAnchor } from '@meridian/kernel';
import { archiveTables } from '@meridian/archive-sql';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { numberOf, recordedAtOf, textOf } from './values.ts';

const { anchors } = archiveTables;

export const createAnchorsTable = `CREATE TABLE IF NOT EXISTS ${anchors} (
  global_position BIGINT PRIMARY KEY,
  global_hash VARCHAR NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL
)`;

export const insertAnchor = async (writer: DuckDBConnection, anchor: LogAnchor): Promise<{ inserted: number }> => {
  const { rowsChanged } = await writer.run(`INSERT INTO ${anchors} VALUES (?, ?, ?::TIMESTAMPTZ) ON CONFLICT DO NOTHING`, [
    BigInt(anchor.position),
    anchor.hash,
    new Date(anchor.recordedAt).toISOString(),
  ]);
  return { inserted: rowsChanged };
};

const anchorOfRow = (row: Record<string, DuckDBValue>): LogAnchor => ({
  position: numberOf(row['global_position'] ?? null),
  hash: textOf(row['global_hash'] ?? null),
  recordedAt: recordedAtOf(row['recorded_at'] ?? null),
});

/** A file written before anchors existed, opened read-only, has no table for them: it has no anchors. */
const hasAnchorsTable = async (connection: DuckDBConnection) =>
  (await connection.runAndReadAll(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '${anchors}'`)).getRows()[0]?.[0] !== 0n;

export const readAnchors = async (
  connection: DuckDBConnection,
  { after = 0, limit }: { readonly after?: number; readonly limit: number },
): Promise<LogAnchor[]> => {
  const pageSize = archivePageLimit(limit);
  if (!(await hasAnchorsTable(connection))) return [];
  const reader = await connection.runAndReadAll(
    `SELECT global_position, global_hash, recorded_at FROM ${anchors} WHERE global_position > ? ORDER BY global_position LIMIT ${pageSize}`,
    [BigInt(after)],
  );
  return reader.getRowObjects().map(anchorOfRow);
};
