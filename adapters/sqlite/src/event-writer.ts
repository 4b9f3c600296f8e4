// Writing appends and request decisions: the checks and inserts of one group commit, on whichever thread
// owns the write connection (the writer worker by default). Every write of a group is checked on its own
// (expected revision, request id) before anything of it is written, so the group needs no savepoints; if
// the group's transaction fails anyway, it is retried one write per transaction to find the culprit.
//
// A request id gets one row in `requests`: its first decided answer. An append inserts it with its events; a
// decision that appended nothing inserts it alone. Both look for the row first, inside the write lock, so
// whichever commits first is the answer every later attempt gets, in this process or another.
//
// Events are chained as they are inserted, plain or keyed (`chainKey`), with the scheme beside them.
import {
  chainContentOf,
  chainLinker,
  decodeRequestAnswer,
  genesisHash,
  mayFollow,
  plainChainScheme,
  type AppendedEvent,
  type AppendRequest,
  type AppendResult,
  type ChainKey,
  type ChainLinker,
  type Decision,
  type RecordedDecision,
  type RequestIdentity,
  type RequestRecord,
} from '@meridian/kernel';
import type { DatabaseSync } from 'node:sqlite';
import { integerIn, nullableTextIn, textIn } from './rows.ts';

/** An event as it is stored: its data and metadata already JSON. */
type SerialisedEvent = {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
};

/** An append as the writer receives it: events serialised, and when it was made (the events' recordedAt). */
export type AppendWrite = Omit<AppendRequest, 'events'> & {
  readonly kind: 'append';
  readonly events: readonly SerialisedEvent[];
  readonly recordedAt: string;
};

/** A decision that appended nothing, to record as its request's answer. */
export type DecisionWrite = { readonly kind: 'decision'; readonly request: RequestIdentity; readonly decision: Decision };

export type WriteRequest = AppendWrite | DecisionWrite;

export type WriteResult =
  { readonly kind: 'append'; readonly result: AppendResult } | { readonly kind: 'decision'; readonly result: RecordedDecision };

/**
 * Serialises an append on the thread that makes it, so the writer thread (the one every append waits for)
 * only checks, hashes and inserts; strings also cross to the writer thread cheaper than object graphs.
 * Events of one append usually share their metadata object: it is serialised once.
 */
export const toWriteRequest = ({ events, ...append }: AppendRequest, recordedAt: string): AppendWrite => {
  const shared = events[0]?.metadata;
  const sharedJson = shared !== undefined && events.every((e) => e.metadata === shared) ? JSON.stringify(shared) : undefined;
  return {
    ...append,
    kind: 'append',
    recordedAt,
    events: events.map(({ eventId, type, schemaVersion, data, metadata }) => ({
      eventId,
      type,
      schemaVersion,
      data: JSON.stringify(data),
      metadata: sharedJson ?? JSON.stringify(metadata),
    })),
  };
};

export type WriteOutcome =
  | { readonly ok: true; readonly result: WriteResult }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

const writeStatements = (db: DatabaseSync) => ({
  streamHead: db.prepare(
    'SELECT stream_revision AS revision, stream_hash AS hash FROM events WHERE stream_id = ? ORDER BY stream_revision DESC LIMIT 1',
  ),
  logHead: db.prepare(
    'SELECT global_position AS position, global_hash AS hash, chain AS scheme FROM events ORDER BY global_position DESC LIMIT 1',
  ),
  insertEvent: db.prepare(
    'INSERT INTO events (stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata, stream_hash, global_hash, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  findRequest: db.prepare('SELECT fingerprint, stream_id, result FROM requests WHERE request_id = ?'),
  insertRequest: db.prepare('INSERT INTO requests (request_id, fingerprint, stream_id, result) VALUES (?, ?, ?, ?)'),
});

type WriteStatements = ReturnType<typeof writeStatements>;

/**
 * A request's row as the port's record. `result` holds the answer without its stream (a column of its own);
 * rows written before decisions were recorded hold only appends, as `{ revision, events }`.
 */
export const requestRecordOf = (findRequest: WriteStatements['findRequest'], requestId: string): RequestRecord | undefined => {
  const row = findRequest.get(requestId);
  if (row === undefined) return undefined;
  const stored: unknown = JSON.parse(textIn(row, 'result'));
  const fields = typeof stored === 'object' && stored !== null ? stored : {};
  return {
    fingerprint: textIn(row, 'fingerprint'),
    answer: decodeRequestAnswer({ kind: 'appended', ...fields, streamId: textIn(row, 'stream_id') }),
  };
};

const insertAnswer = (
  sql: WriteStatements,
  { requestId, fingerprint }: RequestIdentity,
  { streamId, ...answer }: RequestRecord['answer'],
) => sql.insertRequest.run(requestId, fingerprint, streamId, JSON.stringify(answer));

/** Records a decision unless its request id has an answer already; either way, the answer it has now. */
const decideOne = (sql: WriteStatements, { request, decision }: DecisionWrite): RecordedDecision => {
  const prior = requestRecordOf(sql.findRequest, request.requestId);
  if (prior !== undefined) return { record: prior, recorded: false };
  insertAnswer(sql, request, decision);
  return { record: { fingerprint: request.fingerprint, answer: decision }, recorded: true };
};

/** The tip of the global chain while a group is being written. */
type LogTip = { position: number; hash: string };

/** One append inside the group's transaction; writes nothing unless every check passed. */
const appendOne = (
  sql: WriteStatements,
  chain: ChainLinker,
  { streamId, events, expectedRevision, request, recordedAt }: AppendWrite,
  tip: LogTip,
): AppendResult => {
  const prior = request && requestRecordOf(sql.findRequest, request.requestId);
  if (prior !== undefined) return { outcome: 'duplicate', record: prior };
  const head = sql.streamHead.get(streamId);
  const actual = head === undefined ? undefined : integerIn(head, 'revision');
  const accepted =
    expectedRevision === 'any' ||
    (expectedRevision === 'no_stream' && actual === undefined) ||
    (expectedRevision === 'stream_exists' && actual !== undefined) ||
    expectedRevision === actual;
  if (!accepted) return { outcome: 'wrong_expected_revision', streamId, expected: expectedRevision, actual: actual ?? 'no_stream' };
  const first = (actual ?? -1) + 1;
  let streamHash = (head === undefined ? null : nullableTextIn(head, 'hash')) ?? genesisHash;
  const appended: AppendedEvent[] = events.map((event, index) => {
    const streamRevision = first + index;
    const globalPosition = tip.position + 1;
    const { data, metadata } = event;
    const content = chainContentOf({
      eventId: event.eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      streamId,
      streamRevision,
      globalPosition,
      recordedAt,
      data,
      metadata,
    });
    streamHash = chain.link(streamHash, content);
    tip.hash = chain.link(tip.hash, content);
    tip.position = globalPosition;
    const { lastInsertRowid } = sql.insertEvent.run(
      streamId,
      streamRevision,
      event.eventId,
      event.type,
      event.schemaVersion,
      recordedAt,
      data,
      metadata,
      streamHash,
      tip.hash,
      chain.scheme,
    );
    // The rowid is the position the hash covered: the single writer assigns max + 1.
    if (Number(lastInsertRowid) !== globalPosition) throw new Error(`position ${lastInsertRowid} where ${globalPosition} was chained`);
    return { eventId: event.eventId, type: event.type, streamRevision, globalPosition };
  });
  const revision = first + events.length - 1;
  if (request !== undefined) insertAnswer(sql, request, { kind: 'appended', streamId, revision, events: appended });
  return { outcome: 'appended', streamId, revision, events: appended };
};

const errorOf = (error: unknown) => ({
  name: error instanceof Error ? error.name : 'Error',
  message: error instanceof Error ? error.message : String(error),
});

/** A log keyed with one key goes on with that key only: see the kernel's mayFollow. */
export class ChainSchemeRefused extends Error {
  constructor(last: string, next: string) {
    super(
      `the event log is chained with ${last}, and this process would chain with ${next}: ` +
        'set MERIDIAN_CHAIN_KEY to the key the log is chained with (a keyed log cannot go on unkeyed or under another key)',
    );
    this.name = 'ChainSchemeRefused';
  }
}

/**
 * A writer over one connection: `write` commits a group and answers each append. With a chain key, events
 * are chained with keyed links (HMAC-SHA256), otherwise with plain ones.
 */
export const createEventWriter = (db: DatabaseSync, { chainKey }: { readonly chainKey?: ChainKey } = {}) => {
  const sql = writeStatements(db);
  const chain = chainLinker(chainKey);
  /** Runs appends in one transaction; throws (after rolling back) if the transaction fails. */
  const commit = (group: readonly WriteRequest[]): WriteResult[] => {
    db.exec('BEGIN IMMEDIATE');
    try {
      // Read inside the write lock: another process may have appended since our last group.
      const last = sql.logHead.get();
      const lastScheme = last === undefined ? undefined : (nullableTextIn(last, 'scheme') ?? plainChainScheme);
      if (!mayFollow(lastScheme, chain.scheme)) throw new ChainSchemeRefused(lastScheme ?? '', chain.scheme);
      const tip: LogTip =
        last === undefined
          ? { position: 0, hash: genesisHash }
          : { position: integerIn(last, 'position'), hash: nullableTextIn(last, 'hash') ?? genesisHash };
      const results = group.map((item): WriteResult =>
        item.kind === 'append'
          ? { kind: 'append', result: appendOne(sql, chain, item, tip) }
          : { kind: 'decision', result: decideOne(sql, item) },
      );
      db.exec('COMMIT');
      return results;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };
  const write = (group: readonly WriteRequest[]): WriteOutcome[] => {
    try {
      return commit(group).map((result) => ({ ok: true, result }));
    } catch (groupError) {
      if (group.length === 1) return [{ ok: false, error: errorOf(groupError) }];
      // Find the culprit: each append alone, in its own transaction.
      return group.map((item) => {
        try {
          return { ok: true, result: commit([item])[0]! };
        } catch (error) {
          return { ok: false, error: errorOf(error) };
        }
      });
    }
  };
  return { write };
};
