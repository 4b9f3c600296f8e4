// Tamper evidence: every stored event carries two hashes, each chaining its content to the previous link:
// `stream_hash` over the events of its stream (revision order) and `global_hash` over the whole log
// (position order). Changing any byte of a stored event, or removing or reordering one, breaks the chain at
// that event, and `verifyChains` names the first broken link. (It detects tampering; it does not prevent
// someone rewriting the whole chain from that point: anchor the latest global hash elsewhere for that.)
import { hash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';

/** The link before the first event of any chain. */
export const genesis = '0'.repeat(64);

/** The exact stored bytes of an event, field by field: what the chains cover. */
export type ChainedContent = {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamRevision: number;
  readonly globalPosition: number;
  readonly recordedAt: string;
  /** The data and metadata JSON as stored. */
  readonly data: string;
  readonly metadata: string;
};

export const contentOf = (e: ChainedContent): string =>
  [e.eventId, e.type, e.schemaVersion, e.streamId, e.streamRevision, e.globalPosition, e.recordedAt, e.data, e.metadata].join('\n');

export const chainLink = (previous: string, content: string): string => hash('sha256', `${previous}\n${content}`);

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

type ChainRow = EventRow & { stream_hash: string | null; global_hash: string | null };

const contentOfRow = (row: ChainRow) =>
  contentOf({
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    streamRevision: row.stream_revision,
    globalPosition: row.global_position,
    recordedAt: row.recorded_at,
    data: row.data,
    metadata: row.metadata,
  });

const chainRows = (db: DatabaseSync) =>
  db
    .prepare(
      'SELECT global_position, stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata, stream_hash, global_hash FROM events ORDER BY global_position',
    )
    .iterate() as IterableIterator<ChainRow>;

/** Chains events stored before the chains existed (a file from an earlier version), in one transaction. */
export const backfillChains = (db: DatabaseSync): void => {
  // Chains are backfilled whole, in one transaction, and every later event is chained as it is written: if
  // the first event has its hash, they all do. (Looking for any missing hash would scan the whole log.)
  const first = db.prepare('SELECT global_hash FROM events ORDER BY global_position LIMIT 1').get() as { global_hash: string | null } | undefined;
  if (first === undefined || first.global_hash !== null) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const update = db.prepare('UPDATE events SET stream_hash = ?, global_hash = ? WHERE global_position = ?');
    const streams = new Map<string, string>();
    let global = genesis;
    for (const row of [...chainRows(db)]) {
      const content = contentOfRow(row);
      const streamHash = chainLink(streams.get(row.stream_id) ?? genesis, content);
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

export type BrokenLink = {
  readonly chain: 'stream' | 'global';
  readonly globalPosition: number;
  readonly streamId: string;
  readonly streamRevision: number;
  readonly eventId: string;
  readonly expected: string;
  readonly stored: string | null;
};

export type ChainReport =
  | { readonly ok: true; readonly events: number; readonly streams: number; readonly head?: string }
  | { readonly ok: false; readonly events: number; readonly broken: BrokenLink };

/**
 * Recomputes both chains over the whole log, streaming it, and stops at the first link that does not
 * match: the event that was changed (or the first one after an event that was removed).
 */
export const verifyChains = (db: DatabaseSync): ChainReport => {
  const streams = new Map<string, { hash: string; revision: number }>();
  let global = genesis;
  let events = 0;
  for (const row of chainRows(db)) {
    const content = contentOfRow(row);
    const previous = streams.get(row.stream_id);
    const expectedStream = chainLink(previous?.hash ?? genesis, content);
    const expectedGlobal = chainLink(global, content);
    const at = { globalPosition: row.global_position, streamId: row.stream_id, streamRevision: row.stream_revision, eventId: row.event_id };
    if (expectedStream !== row.stream_hash || row.stream_revision !== (previous?.revision ?? -1) + 1)
      return { ok: false, events, broken: { chain: 'stream', ...at, expected: expectedStream, stored: row.stream_hash } };
    if (expectedGlobal !== row.global_hash) return { ok: false, events, broken: { chain: 'global', ...at, expected: expectedGlobal, stored: row.global_hash } };
    streams.set(row.stream_id, { hash: expectedStream, revision: row.stream_revision });
    global = expectedGlobal;
    events++;
  }
  return { ok: true, events, streams: streams.size, ...(events > 0 && { head: global }) };
};
