// Tamper evidence in the embedded store: every stored event carries two links (the kernel's chain.ts),
// `stream_hash` over the events of its stream (revision order) and `global_hash` over the whole log
// (position order), and `chain`, the scheme it was chained with (NULL for events chained before schemes
// were recorded: plain SHA-256). Here: reading those rows for the kernel's verification, the log's head,
// and chaining files written before the chains existed.
import {
  chainContentOf,
  chainLink,
  chainWalk,
  genesisHash,
  plainChainScheme,
  type ChainedEvent,
  type ChainHead,
  type ChainReport,
  type ChainWalkOptions,
} from '@meridian/kernel';
import type { DatabaseSync } from 'node:sqlite';

/** An event as the events table stores it. */
export type EventRow = {
  global_position: number;
  stream_id: string;
  stream_revision: number;
  event_id: string;
  type: string;
  schema_version: number;
  recorded_at: string;
  data: string;
  metadata: string;
};

type ChainRow = EventRow & { stream_hash: string | null; global_hash: string | null; chain: string | null };

const chainedEventOf = (row: ChainRow): ChainedEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamRevision: row.stream_revision,
  globalPosition: row.global_position,
  recordedAt: row.recorded_at,
  data: row.data,
  metadata: row.metadata,
  streamHash: row.stream_hash,
  globalHash: row.global_hash,
  scheme: row.chain,
});

/** Whether the events table records schemes: a file opened read-only may predate the column. */
const hasSchemeColumn = (db: DatabaseSync): boolean =>
  (db.prepare("SELECT count(*) AS n FROM pragma_table_info('events') WHERE name = 'chain'").get() as { n: number }).n > 0;

const chainRows = (db: DatabaseSync) =>
  db
    .prepare(
      `SELECT global_position, stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata, stream_hash, global_hash, ${hasSchemeColumn(db) ? 'chain' : 'NULL AS chain'} FROM events ORDER BY global_position`,
    )
    .iterate() as IterableIterator<ChainRow>;

/** Chains events stored before the chains existed (a file from an earlier version), plainly, in one transaction. */
export const backfillChains = (db: DatabaseSync): void => {
  // Chains are backfilled whole, in one transaction, and every later event is chained as it is written: if
  // the first event has its hash, they all do. (Looking for any missing hash would scan the whole log.)
  const first = db.prepare('SELECT global_hash FROM events ORDER BY global_position LIMIT 1').get() as
    { global_hash: string | null } | undefined;
  if (first === undefined || first.global_hash !== null) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const update = db.prepare('UPDATE events SET stream_hash = ?, global_hash = ? WHERE global_position = ?');
    const streams = new Map<string, string>();
    let global = genesisHash;
    for (const row of [...chainRows(db)]) {
      const content = chainContentOf(chainedEventOf(row));
      const streamHash = chainLink(streams.get(row.stream_id) ?? genesisHash, content);
      global = chainLink(global, content);
      streams.set(row.stream_id, streamHash);
      update.run(streamHash, global, row.global_position);
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
};

/**
 * Recomputes both chains over the whole log, streaming it, and stops at the first link that does not
 * match (the event that was changed, or the first one after an event that was removed), or at the first
 * keyed link it has no key for; checks the given (position, hash) pairs on the way.
 */
export const verifyChains = (db: DatabaseSync, options: ChainWalkOptions = {}): ChainReport => {
  const walk = chainWalk(options);
  for (const row of chainRows(db)) if (!walk.step(chainedEventOf(row))) break;
  return walk.report();
};

/** The last event's position and global link, and how it was chained; undefined for an empty log. */
export const chainHeadOf = (db: DatabaseSync): ChainHead | undefined => {
  const scheme = hasSchemeColumn(db) ? 'chain' : 'NULL AS chain';
  const row = db.prepare(`SELECT global_position, global_hash, ${scheme} FROM events ORDER BY global_position DESC LIMIT 1`).get() as
    { global_position: number; global_hash: string | null; chain: string | null } | undefined;
  if (row === undefined || row.global_hash === null) return undefined;
  return { position: row.global_position, hash: row.global_hash, scheme: row.chain ?? plainChainScheme };
};
