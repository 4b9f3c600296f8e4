// The embedded event store: one SQLite file, the global position is the rowid.
//
// Appends are group-committed: every append requested in the same turn of the event loop shares one
// transaction (one WAL sync), each still checked against its own expected revision and request id, each
// in its own savepoint so one failing append cannot take the others down with it.
import type {
  AppendedEvent,
  AppendRequest,
  AppendResult,
  EventStore,
  LogBatch,
  LogFilter,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
} from '@meridian/kernel';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
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
  streamRevision: db.prepare('SELECT max(stream_revision) AS revision FROM events WHERE stream_id = ?'),
  insertEvent: db.prepare(
    'INSERT INTO events (stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  findRequest: db.prepare('SELECT fingerprint, stream_id, result FROM requests WHERE request_id = ?'),
  insertRequest: db.prepare('INSERT INTO requests (request_id, fingerprint, stream_id, result) VALUES (?, ?, ?, ?)'),
  readStream: db.prepare(`SELECT ${columns} FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision`),
  head: db.prepare('SELECT coalesce(max(global_position), 0) AS head FROM events'),
});

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

export const createSqliteEventStore = (options: SqliteEventStoreOptions): EventStore => {
  const db = openDatabase({ path: options.path, ...(options.synchronous && { synchronous: options.synchronous }) });
  migrate(db, 'event-store', migrations);
  const sql = statements(db);
  const logQueries = new Map<string, StatementSync>();
  const now = options.now ?? (() => new Date());
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  let pending: PendingAppend[] = [];
  let closed = false;
  const waiters = new Set<() => void>();

  const currentRevision = (streamId: string): number | undefined =>
    (sql.streamRevision.get(streamId) as { revision: number | null }).revision ?? undefined;

  /** One append inside the group's transaction. */
  const appendOne = ({ streamId, events, expectedRevision, request }: AppendRequest, recordedAt: string): AppendResult => {
    if (request !== undefined) {
      const prior = sql.findRequest.get(request.requestId) as { fingerprint: string; stream_id: string; result: string } | undefined;
      if (prior !== undefined) {
        const result = JSON.parse(prior.result) as { revision: number; events: AppendedEvent[] };
        return { outcome: 'duplicate', streamId: prior.stream_id, ...result, sameRequest: prior.fingerprint === request.fingerprint };
      }
    }
    const actual = currentRevision(streamId);
    const accepted =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && actual === undefined) ||
      (expectedRevision === 'stream_exists' && actual !== undefined) ||
      expectedRevision === actual;
    if (!accepted) return { outcome: 'wrong_expected_revision', streamId, expected: expectedRevision, actual: actual ?? 'no_stream' };
    const first = (actual ?? -1) + 1;
    const appended: AppendedEvent[] = events.map((event, index) => {
      const streamRevision = first + index;
      const { lastInsertRowid } = sql.insertEvent.run(
        streamId,
        streamRevision,
        event.eventId,
        event.type,
        event.schemaVersion,
        recordedAt,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
      );
      return { eventId: event.eventId, type: event.type, streamRevision, globalPosition: Number(lastInsertRowid) };
    });
    const revision = first + events.length - 1;
    if (request !== undefined)
      sql.insertRequest.run(request.requestId, request.fingerprint, streamId, JSON.stringify({ revision, events: appended }));
    return { outcome: 'appended', streamId, revision, events: appended };
  };

  const flush = () => {
    const group = pending;
    pending = [];
    if (group.length === 0) return;
    const recordedAt = now().toISOString();
    const outcomes: ({ ok: true; result: AppendResult } | { ok: false; error: unknown })[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const { request } of group) {
        db.exec('SAVEPOINT append');
        try {
          outcomes.push({ ok: true, result: appendOne(request, recordedAt) });
          db.exec('RELEASE append');
        } catch (error) {
          db.exec('ROLLBACK TO append');
          db.exec('RELEASE append');
          outcomes.push({ ok: false, error });
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      for (const { reject } of group) reject(error);
      return;
    }
    group.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) resolve(outcome.result);
      else reject(outcome.error);
    });
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
    readStream: async (streamId, { fromRevision = 0 } = {}) =>
      (sql.readStream.all(streamId, fromRevision) as Row[]).map(toRecorded),
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
