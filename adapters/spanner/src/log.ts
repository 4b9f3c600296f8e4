// Reading the store: streams, the log in commit order, the head. Every read that hands out positions is a
// strong read-only snapshot (read.ts), so a millisecond's ranks are computed over everything committed in
// it up to the snapshot (positions.ts says why that makes them final).
import type { LogBatch, LogFilter, ReadAllOptions, RecordedEvent } from '@meridian/kernel';
import { matchesFilter } from '@meridian/kernel';
import { decodePosition, millisecondOf, positionBefore, positionOf, rankInOrder, resumePointOf, type LogKey } from './positions.ts';
import { shardIds } from './schema.ts';
import type { Reader, Snapshot } from './read.ts';

/** An event row as the queries below select it. */
export type EventRow = {
  readonly stream_id: string;
  readonly revision: number;
  readonly commit_us: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly data: string;
  readonly metadata: string;
  readonly stream_hash: string;
};

/** The columns of an EventRow, of the table or index under `alias`. */
const columnsOf = (alias = '') => {
  const of = (column: string) => `${alias === '' ? '' : `${alias}.`}${column}`;
  return `${['stream_id', 'revision'].map(of).join(', ')}, UNIX_MICROS(${of('commit_ts')}) AS commit_us, ${['event_id', 'type', 'schema_version', 'data', 'metadata', 'stream_hash'].map(of).join(', ')}`;
};
const shardParam = { shards: shardIds };
const shardType = { shards: { type: 'array', child: 'int64' } } as const;

export const keyOf = (row: EventRow): LogKey => ({ commitMicros: row.commit_us, streamId: row.stream_id, revision: row.revision });

/** When an event was recorded: its commit time, to the millisecond. */
export const recordedAtOf = (row: EventRow): string => new Date(millisecondOf(row.commit_us)).toISOString();

export const recordedOf = (row: EventRow, position: number): RecordedEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamRevision: row.revision,
  globalPosition: position,
  recordedAt: recordedAtOf(row),
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
});

/** A stream's rows from a revision (up to one, if given), in revision order, without positions. */
export const readStreamRows = (reader: Reader, streamId: string, fromRevision: number, toRevision = Number.MAX_SAFE_INTEGER) =>
  reader.query<EventRow>({
    sql: `SELECT ${columnsOf()} FROM events WHERE stream_id = @streamId AND revision >= @fromRevision AND revision <= @toRevision ORDER BY revision`,
    params: { streamId, fromRevision, toRevision },
    types: { streamId: 'string', fromRevision: 'int64', toRevision: 'int64' },
  });

/**
 * The positions of some events of one stream: each one's rank among the events of its commit millisecond,
 * counted on the commit-order index (a short range per event on Cloud Spanner; the emulator scans).
 */
export const positionsOf = async (snapshot: Snapshot, streamId: string, revisions: readonly number[]): Promise<Map<number, number>> => {
  if (revisions.length === 0) return new Map();
  const rows = await snapshot.query<{ revision: number; commit_us: number; rank_in_ms: number }>({
    sql: `SELECT e.revision, UNIX_MICROS(e.commit_ts) AS commit_us,
            (SELECT COUNT(*) FROM events@{FORCE_INDEX=events_by_commit} o
              WHERE o.shard IN UNNEST(@shards)
                AND o.commit_ts >= TIMESTAMP_TRUNC(e.commit_ts, MILLISECOND) AND o.commit_ts <= e.commit_ts
                AND (o.commit_ts < e.commit_ts OR o.stream_id < e.stream_id OR (o.stream_id = e.stream_id AND o.revision < e.revision))) AS rank_in_ms
          FROM events e
          WHERE e.stream_id = @streamId AND e.revision IN UNNEST(@revisions)`,
    params: { ...shardParam, streamId, revisions },
    types: { ...shardType, streamId: 'string', revisions: { type: 'array', child: 'int64' } },
  });
  return new Map(rows.map((row) => [row.revision, positionOf(millisecondOf(row.commit_us), row.rank_in_ms)]));
};

/**
 * The positions of the events one append wrote: they share a commit timestamp and a stream, so they are
 * consecutive in the log: the first one's rank, and one more for each after it.
 */
export const appendedPositions = async (
  snapshot: Snapshot,
  streamId: string,
  firstRevision: number,
  lastRevision: number,
): Promise<number[]> => {
  const first = (await positionsOf(snapshot, streamId, [firstRevision])).get(firstRevision);
  if (first === undefined) throw new Error(`${streamId} has no revision ${firstRevision}`);
  const { millisecond, rank } = decodePosition(first);
  return Array.from({ length: lastRevision - firstRevision + 1 }, (_, index) => positionOf(millisecond, rank + index));
};

/** Rows in log order from the first event of `millisecond` on: at most `limit`. */
const logRowsFrom = (snapshot: Snapshot, millisecond: number, limit: number) =>
  snapshot.query<EventRow>({
    sql: `SELECT ${columnsOf()} FROM events@{FORCE_INDEX=events_by_commit}
          WHERE shard IN UNNEST(@shards) AND commit_ts >= TIMESTAMP_MILLIS(@from)
          ORDER BY commit_ts, stream_id, revision LIMIT @limit`,
    params: { ...shardParam, from: millisecond, limit },
    types: { ...shardType, from: 'int64', limit: 'int64' },
  });

/** Most rows one readAll call scans looking for events its filter wants. */
const defaultMaxScan = 10_000;

/** Rows of the log after a position, in order, each with its position. */
export type LogScan = { readonly rows: readonly (EventRow & { readonly position: number })[]; readonly endOfLog: boolean };

/**
 * At most `limit` rows after `after`, in one query: from the first event of `after`'s millisecond (ranks are
 * counted from there), skipping what `after` already covers.
 */
export const scanLog = async (snapshot: Snapshot, after: number, limit: number): Promise<LogScan> => {
  const { millisecond, skip } = resumePointOf(after);
  const rows = await logRowsFrom(snapshot, millisecond, skip + limit);
  const ranked = rankInOrder(rows.map((row) => ({ ...keyOf(row), row }))).filter((r) => r.position > after);
  return { rows: ranked.map(({ row, position }) => ({ ...row, position })), endOfLog: rows.length < skip + limit };
};

/**
 * One batch of the log after `after`, in one strong snapshot. A batch that reaches the end of the log
 * reports the snapshot's time as how far it scanned: every event committed before that millisecond has been
 * seen, so an idle log still moves a consumer's checkpoint.
 */
export const readLogBatch = async (
  snapshot: Snapshot,
  { after, batchSize = 500, filter }: ReadAllOptions,
  maxScan = defaultMaxScan,
): Promise<LogBatch> => {
  const events: RecordedEvent[] = [];
  let position = Math.max(0, after);
  let scanned = 0;
  for (;;) {
    const scan = await scanLog(snapshot, position, Math.max(batchSize - events.length, 1));
    for (const row of scan.rows) {
      if (matchesFilter(filter, { type: row.type, streamId: row.stream_id })) events.push(recordedOf(row, row.position));
      position = row.position;
    }
    scanned += scan.rows.length;
    if (scan.endOfLog) return { events, position: Math.max(position, positionBefore(millisecondOf(snapshot.readMicros))), endOfLog: true };
    if (events.length >= batchSize || scanned >= maxScan) return { events, position, endOfLog: false };
  }
};

/** The position of the last event in the log (0 when it is empty). */
export const headPosition = async (snapshot: Snapshot): Promise<number> => {
  const [last] = await snapshot.query<{ stream_id: string; revision: number }>({
    sql: `SELECT stream_id, revision FROM events@{FORCE_INDEX=events_by_commit}
          WHERE shard IN UNNEST(@shards) ORDER BY commit_ts DESC, stream_id DESC, revision DESC LIMIT 1`,
    params: shardParam,
    types: shardType,
  });
  if (last === undefined) return 0;
  return (await positionsOf(snapshot, last.stream_id, [last.revision])).get(last.revision) ?? 0;
};

export type { LogFilter };
