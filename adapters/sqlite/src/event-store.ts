// The embedded event store: one SQLite file, the global position is the rowid.
//
// Appends are group-committed: every append requested in the same turn of the event loop shares one
// transaction (one WAL sync). Each is still checked on its own (expected revision, request id) before
// anything is written, so the group needs no savepoints; if the group fails anyway (a disk error, a
// corrupt row), it is rolled back and its appends are retried one transaction each, so one bad append
// cannot take the others down with it.
//
// Each event carries two hash chains (tamper evidence, see chain.ts): one over its stream, one over the
// whole log in position order.
import type {
  AppendedEvent,
  AppendRequest,
  AppendResult,
  EventStore,
  LogBatch,
  LogFilter,
  PriorRequest,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
} from '@meridian/kernel';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { backfillChains, chainLink, contentOf, genesis } from './chain.ts';
import { migrate, openDatabase, type Synchronous } from './database.ts';

const migrations = [
  `CREATE TABLE events (
     global_position INTEGER PRIMARY KEY,
     stream_id TEXT NOT NULL,
     stream_revision INTEGER NOT NULL,
     event_id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     schema_version INTEGER NOT NULL,
     recorded_at TEXT NOT NULL,
     data TEXT NOT NULL,
     metadata TEXT NOT NULL,
     UNIQUE (stream_id, stream_revision)
   ) STRICT;
   CREATE INDEX events_by_type ON events (type, global_position);
   CREATE TABLE requests (
     request_id TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     stream_id TEXT NOT NULL,
     result TEXT NOT NULL
   ) STRICT, WITHOUT ROWID;`,
  // No unique index on event_id: random ids made every commit rewrite scattered index pages (the store
  // never looks events up by id, and request ids are deduplicated in `requests`). Hash chains added.
  `CREATE TABLE events_v2 (
     global_position INTEGER PRIMARY KEY,
     stream_id TEXT NOT NULL,
     stream_revision INTEGER NOT NULL,
     event_id TEXT NOT NULL,
     type TEXT NOT NULL,
     schema_version INTEGER NOT NULL,
     recorded_at TEXT NOT NULL,
     data TEXT NOT NULL,
     metadata TEXT NOT NULL,
     stream_hash TEXT,
     global_hash TEXT,
     UNIQUE (stream_id, stream_revision)
   ) STRICT;
   INSERT INTO events_v2 (global_position, stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata)
     SELECT global_position, stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata FROM events;
   DROP TABLE events;
   ALTER TABLE events_v2 RENAME TO events;
   CREATE INDEX events_by_type ON events (type, global_position);`,
];

export type SqliteEventStoreOptions = {
  /** The database file (under MERIDIAN_DATA_DIR), or ':memory:'. */
  readonly path: string;
  readonly synchronous?: Synchronous;
  /**
   * How often a waiting subscription looks for events appended by another process. Appends made through
   * this store wake its subscriptions at once.
   */
  readonly pollIntervalMs?: number;
  readonly now?: () => Date;
};

type Row = {
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

const columns = 'global_position, stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata';

const toRecorded = (row: Row): RecordedEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamRevision: row.stream_revision,
  globalPosition: row.global_position,
  recordedAt: row.recorded_at,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
});

type PendingAppend = {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
};

const statements = (db: DatabaseSync) => ({
  streamHead: db.prepare('SELECT stream_revision AS revision, stream_hash AS hash FROM events WHERE stream_id = ? ORDER BY stream_revision DESC LIMIT 1'),
  logHead: db.prepare('SELECT global_position AS position, global_hash AS hash FROM events ORDER BY global_position DESC LIMIT 1'),
  insertEvent: db.prepare(
    'INSERT INTO events (stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata, stream_hash, global_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  findRequest: db.prepare('SELECT fingerprint, stream_id, result FROM requests WHERE request_id = ?'),
  insertRequest: db.prepare('INSERT INTO requests (request_id, fingerprint, stream_id, result) VALUES (?, ?, ?, ?)'),
  readStream: db.prepare(`SELECT ${columns} FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision`),
  head: db.prepare('SELECT coalesce(max(global_position), 0) AS head FROM events'),
});

type Statements = ReturnType<typeof statements>;

/** The SQL for one filter shape, prepared once and reused. */
const logQuery = (db: DatabaseSync, cache: Map<string, StatementSync>, filter: LogFilter | undefined) => {
  const types = filter?.eventTypes?.length ?? 0;
  const prefix = filter?.streamPrefix !== undefined;
  const key = `${types}:${prefix}`;
  let statement = cache.get(key);
  if (statement === undefined) {
    const conditions = ['global_position > ?', 'global_position <= ?'];
    if (filter?.eventTypes !== undefined) conditions.push(`type IN (${Array.from({ length: types }, () => '?').join(', ') || 'NULL'})`);
    if (prefix) conditions.push('substr(stream_id, 1, length(?)) = ?');
    statement = db.prepare(`SELECT ${columns} FROM events WHERE ${conditions.join(' AND ')} ORDER BY global_position LIMIT ?`);
    cache.set(key, statement);
  }
  return statement;
};

const priorOf = (sql: Statements, requestId: string): PriorRequest | undefined => {
  const prior = sql.findRequest.get(requestId) as { fingerprint: string; stream_id: string; result: string } | undefined;
  if (prior === undefined) return undefined;
  const result = JSON.parse(prior.result) as { revision: number; events: AppendedEvent[] };
  return { streamId: prior.stream_id, fingerprint: prior.fingerprint, ...result };
};

/** The tip of the global chain while a group is being written. */
type LogTip = { position: number; hash: string };

/** One append inside a transaction; writes nothing unless every check passed. */
const appendOne = (sql: Statements, { streamId, events, expectedRevision, request }: AppendRequest, recordedAt: string, tip: LogTip): AppendResult => {
  if (request !== undefined) {
    const prior = priorOf(sql, request.requestId);
    if (prior !== undefined)
      return { outcome: 'duplicate', streamId: prior.streamId, revision: prior.revision, events: prior.events, sameRequest: prior.fingerprint === request.fingerprint };
  }
  const head = sql.streamHead.get(streamId) as { revision: number; hash: string | null } | undefined;
  const actual = head?.revision;
  const accepted =
    expectedRevision === 'any' ||
    (expectedRevision === 'no_stream' && actual === undefined) ||
    (expectedRevision === 'stream_exists' && actual !== undefined) ||
    expectedRevision === actual;
  if (!accepted) return { outcome: 'wrong_expected_revision', streamId, expected: expectedRevision, actual: actual ?? 'no_stream' };
  const first = (actual ?? -1) + 1;
  // Events of one append share their metadata: serialised once.
  const metadataJson = events.length > 0 && events.every((e) => e.metadata === events[0]!.metadata) ? JSON.stringify(events[0]!.metadata) : undefined;
  let streamHash = head?.hash ?? genesis;
  const appended: AppendedEvent[] = events.map((event, index) => {
    const streamRevision = first + index;
    const globalPosition = tip.position + 1;
    const data = JSON.stringify(event.data);
    const metadata = metadataJson ?? JSON.stringify(event.metadata);
    const content = contentOf({ eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion, streamId, streamRevision, globalPosition, recordedAt, data, metadata });
    streamHash = chainLink(streamHash, content);
    tip.hash = chainLink(tip.hash, content);
    tip.position = globalPosition;
    const { lastInsertRowid } = sql.insertEvent.run(streamId, streamRevision, event.eventId, event.type, event.schemaVersion, recordedAt, data, metadata, streamHash, tip.hash);
    // The rowid is the position the hash covered: the single writer assigns max + 1.
    if (Number(lastInsertRowid) !== globalPosition) throw new Error(`position ${lastInsertRowid} where ${globalPosition} was chained`);
    return { eventId: event.eventId, type: event.type, streamRevision, globalPosition };
  });
  const revision = first + events.length - 1;
  if (request !== undefined) sql.insertRequest.run(request.requestId, request.fingerprint, streamId, JSON.stringify({ revision, events: appended }));
  return { outcome: 'appended', streamId, revision, events: appended };
};

export const createSqliteEventStore = (options: SqliteEventStoreOptions): EventStore => {
  const db = openDatabase({ path: options.path, ...(options.synchronous && { synchronous: options.synchronous }) });
  migrate(db, 'event-store', migrations);
  backfillChains(db);
  const sql = statements(db);
  const logQueries = new Map<string, StatementSync>();
  const now = options.now ?? (() => new Date());
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  let pending: PendingAppend[] = [];
  let closed = false;
  const waiters = new Set<() => void>();

  /** Runs appends in one transaction; throws (after rolling back) if the transaction fails. */
  const commit = (group: readonly PendingAppend[]): AppendResult[] => {
    const recordedAt = now().toISOString();
    db.exec('BEGIN IMMEDIATE');
    try {
      // Read inside the write lock: another process may have appended since our last group.
      const last = sql.logHead.get() as { position: number; hash: string | null } | undefined;
      const tip: LogTip = { position: last?.position ?? 0, hash: last?.hash ?? genesis };
      const results = group.map(({ request }) => appendOne(sql, request, recordedAt, tip));
      db.exec('COMMIT');
      return results;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };

  const flush = () => {
    const group = pending;
    pending = [];
    if (group.length === 0) return;
    try {
      const results = commit(group);
      group.forEach(({ resolve }, index) => resolve(results[index]!));
    } catch (groupError) {
      // Find the culprit: each append alone, in its own transaction.
      for (const item of group) {
        try {
          item.resolve(commit([item])[0]!);
        } catch (error) {
          item.reject(group.length === 1 ? groupError : error);
        }
      }
    }
    for (const wake of [...waiters]) wake();
  };

  const append = (request: AppendRequest): Promise<AppendResult> => {
    if (closed) return Promise.reject(new Error('the event store is closed'));
    return new Promise((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ request, resolve, reject });
    });
  };

  const readAllNow = ({ after, batchSize = 500, filter }: ReadAllOptions): LogBatch => {
    const head = (sql.head.get() as { head: number }).head;
    const parameters: (string | number)[] = [after, head, ...(filter?.eventTypes ?? [])];
    if (filter?.streamPrefix !== undefined) parameters.push(filter.streamPrefix, filter.streamPrefix);
    const rows = logQuery(db, logQueries, filter).all(...parameters, batchSize) as Row[];
    const events = rows.map(toRecorded);
    const full = rows.length === batchSize;
    // Positions are assigned in commit order by the single writer, so nothing can appear below `head` later.
    const position = full ? events[events.length - 1]!.globalPosition : Math.max(head, after);
    return { events, position, endOfLog: !full || position === head };
  };

  /** Resolves when this store appends, when the poll interval passes, or when the signal aborts. */
  const waitForAppend = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, pollIntervalMs);
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });

  async function* subscribe({ signal, ...read }: SubscribeOptions): AsyncGenerator<LogBatch> {
    let after = read.after;
    while (!signal?.aborted && !closed) {
      const batch = readAllNow({ ...read, after });
      if (batch.events.length > 0 || batch.position > after) {
        after = batch.position;
        yield batch;
      }
      if (batch.endOfLog) await waitForAppend(signal);
    }
  }

  return {
    append,
    findRequest: async (requestId) => priorOf(sql, requestId),
    readStream: async (streamId, { fromRevision = 0 } = {}) => (sql.readStream.all(streamId, fromRevision) as Row[]).map(toRecorded),
    readAll: async (read) => readAllNow(read),
    subscribe,
    headPosition: async () => (sql.head.get() as { head: number }).head,
    close: async () => {
      if (closed) return;
      flush();
      closed = true;
      for (const wake of [...waiters]) wake();
      db.close();
    },
  };
};
