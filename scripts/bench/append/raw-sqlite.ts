// The machine's limit for durable single appends: node:sqlite written straight, one event per transaction
// with a version check (read the stream's last revision, insert the next), into a table with the same
// columns, constraints and indexes as the embedded event store's, rows of the same size. The same loop
// with ten events per append and appends grouped per transaction gives the SQLite floor of the ten-event
// workload (what the store's group commit could reach at best).
import { randomId } from '@meridian/kernel';
import { DatabaseSync } from 'node:sqlite';
import type { Timed } from './through-handler.ts';

export type RowSize = { readonly dataBytes: number; readonly metadataBytes: number };

export type RawWorkload = {
  readonly path: string;
  readonly synchronous: 'FULL' | 'NORMAL';
  readonly streams: number;
  readonly appendsPerStream: number;
  readonly eventsPerAppend: number;
  /** 1 for the machine's limit (one append, one transaction); more to group appends as the store does. */
  readonly appendsPerTransaction: number;
  /** Streams interleaved as the handler's workers interleave them: `block` streams, round by round. */
  readonly block: number;
  readonly row: RowSize;
  readonly prefix: string;
};

// The store's schema (migration 2): no unique index on event_id; the hash columns are left out, since the
// raw loop computes no chains (the store's figures include that work).
const schema = `CREATE TABLE events (
  global_position INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  stream_revision INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  UNIQUE (stream_id, stream_revision)
) STRICT;
CREATE INDEX events_by_type ON events (type, global_position);`;

/** A JSON object of exactly `bytes` characters (at least the bare skeleton). */
const jsonOfSize = (bytes: number, tag: string): string => {
  const skeleton = `{"tag":"${tag}","pad":""}`;
  return `{"tag":"${tag}","pad":"${'x'.repeat(Math.max(0, bytes - skeleton.length))}"}`;
};

const openRaw = (path: string, synchronous: RawWorkload['synchronous']): DatabaseSync => {
  const db = new DatabaseSync(path, { timeout: 10_000 });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec('PRAGMA cache_size = -32768');
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec('PRAGMA wal_autocheckpoint = 4000');
  db.exec(schema);
  return db;
};

/** The appends in the order the handler's workers send them: [stream, round] pairs. */
const appendOrder = ({ streams, appendsPerStream, block }: RawWorkload): (readonly [number, number])[] => {
  const order: (readonly [number, number])[] = [];
  for (let first = 0; first < streams; first += block)
    for (let round = 0; round < appendsPerStream; round++)
      for (let stream = first; stream < Math.min(streams, first + block); stream++) order.push([stream, round]);
  return order;
};

export const rawAppends = (workload: RawWorkload): Timed => {
  const { eventsPerAppend, appendsPerTransaction, prefix } = workload;
  const db = openRaw(workload.path, workload.synchronous);
  const lastRevision = db.prepare('SELECT max(stream_revision) AS revision FROM events WHERE stream_id = ?');
  const insert = db.prepare(
    'INSERT INTO events (stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const data = jsonOfSize(workload.row.dataBytes, 'data');
  const metadata = jsonOfSize(workload.row.metadataBytes, 'metadata');
  const type = `${prefix}.event-recorded.v1`;
  const streamIds = Array.from(
    { length: workload.streams },
    (_, i) => `${prefix}-${prefix[0]!.toUpperCase()}${String(i).padStart(6, '0')}`,
  );
  const order = appendOrder(workload);
  const appendOne = (streamId: string, expected: number, recordedAt: string) => {
    const revision = lastRevision.get(streamId)?.['revision'];
    const actual = typeof revision === 'number' ? revision : -1;
    if (actual !== expected) throw new Error(`${streamId}: expected revision ${expected}, found ${actual}`);
    for (let n = 1; n <= eventsPerAppend; n++) insert.run(streamId, expected + n, randomId(), type, 1, recordedAt, data, metadata);
  };
  const started = performance.now();
  for (let first = 0; first < order.length; first += appendsPerTransaction) {
    db.exec('BEGIN IMMEDIATE');
    const recordedAt = new Date().toISOString();
    for (const [stream, round] of order.slice(first, first + appendsPerTransaction))
      appendOne(streamIds[stream]!, round * eventsPerAppend - 1, recordedAt);
    db.exec('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { events: order.length * eventsPerAppend, seconds };
};
