// The log's anchors in BigQuery (see the kernel's LogAnchor): a small table, one row per position, written
// with a MERGE so that the first anchor of a position stays; read a page at a time in position order.
import { archivePageLimit, type LogAnchor } from '@meridian/kernel';
import { archiveTables } from '@meridian/archive-sql';
import type { ParameterisedQuery } from './sql.ts';

const { anchors } = archiveTables;

export const mergeAnchorQuery = (anchor: LogAnchor): ParameterisedQuery => ({
  query: `MERGE ${anchors} AS target
USING (SELECT @global_position AS global_position, @global_hash AS global_hash, TIMESTAMP(@recorded_at) AS recorded_at) AS source
ON target.global_position = source.global_position
WHEN NOT MATCHED THEN
  INSERT (global_position, global_hash, recorded_at) VALUES (source.global_position, source.global_hash, source.recorded_at)`,
  params: { global_position: anchor.position, global_hash: anchor.hash, recorded_at: new Date(anchor.recordedAt).toISOString() },
  types: { global_position: 'INT64', global_hash: 'STRING', recorded_at: 'STRING' },
});

export const anchorsQuery = ({ after = 0, limit }: { readonly after?: number; readonly limit: number }): ParameterisedQuery => ({
  query: `SELECT global_position, global_hash, FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', recorded_at, 'UTC') AS recorded_at
FROM ${anchors}
WHERE global_position > @after
ORDER BY global_position
LIMIT @limit`,
  params: { after, limit: archivePageLimit(limit) },
  types: { after: 'INT64', limit: 'INT64' },
});

const field = (row: Readonly<Record<string, unknown>>, column: string, type: 'string' | 'number') => {
  const value = row[column];
  if (typeof value !== type) throw new TypeError(`anchor row: ${column} should be a ${type}, got ${String(value)}`);
  return value;
};

export const anchorOfRow = (row: Readonly<Record<string, unknown>>): LogAnchor => ({
  position: Number(field(row, 'global_position', 'number')),
  hash: String(field(row, 'global_hash', 'string')),
  recordedAt: String(field(row, 'recorded_at', 'string')),
});
