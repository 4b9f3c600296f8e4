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
import { integerIn, nullableTextIn, textIn, type Row } from './rows.ts';

const chainedEventOf = (row: Row): ChainedEvent => ({
  eventId: textIn(row, 'event_id'),
  type: textIn(row, 'type'),
  schemaVersion: integerIn(row, 'schema_version'),
  streamId: textIn(row, 'stream_id'),
  streamRevision: integerIn(row, 'stream_revision'),
  globalPosition: integerIn(row, 'global_position'),
  recordedAt: textIn(row, 'recorded_at'),
  data: textIn(row, 'data'),
  metadata: textIn(row, 'metadata'),
  streamHash: nullableTextIn(row, 'stream_hash'),
  globalHash: nullableTextIn(row, 'global_hash'),
  scheme: nullableTextIn(row, 'chain'),
});

/** Whether the events table records schemes: a file opened read-only may predate the column. */
const hasSchemeColumn = (db: DatabaseSync): boolean => {
  const row = db.prepare("SELECT count(*) AS n FROM pragma_table_info('events') WHERE name = 'chain'").get();
  return row !== undefined && integerIn(row, 'n') > 0;
};

const chainRows = (db: DatabaseSync) =>
  db
    .prepare(
      'SELECT global_position, stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, ' +
        `metadata, stream_hash, global_hash, ${hasSchemeColumn(db) ? 'chain' : 'NULL AS chain'} FROM events ORDER BY global_position`,
    )
    .iterate();

/** Chains events stored before the chains existed (a file from an earlier version), plainly, in one transaction. */
export const backfillChains = (db: DatabaseSync): void => {
  // Chains are backfilled whole, in one transaction, and every later event is chained as it is written: if
  // the first event has its hash, they all do. (Looking for any missing hash would scan the whole log.)
  const first = db.prepare('SELECT global_hash FROM events ORDER BY global_position LIMIT 1').get();
  if (first === undefined || nullableTextIn(first, 'global_hash') !== null) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const update = db.prepare('UPDATE events SET stream_hash = ?, global_hash = ? WHERE global_position = ?');
    const streams = new Map<string, string>();
    let global = genesisHash;
    for (const event of [...chainRows(db)].map(chainedEventOf)) {
      const content = chainContentOf(event);
      const streamHash = chainLink(streams.get(event.streamId) ?? genesisHash, content);
      global = chainLink(global, content);
      streams.set(event.streamId, streamHash);
      update.run(streamHash, global, event.globalPosition);
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
  const row = db.prepare(`SELECT global_position, global_hash, ${scheme} FROM events ORDER BY global_position DESC LIMIT 1`).get();
  const hash = row === undefined ? null : nullableTextIn(row, 'global_hash');
  if (row === undefined || hash === null) return undefined;
  return { position: integerIn(row, 'global_position'), hash, scheme: nullableTextIn(row, 'chain') ?? plainChainScheme };
};
