// The embedded event store: one SQLite file, the global position is the rowid.
//
// Appends are group-committed by a writer thread that owns the write connection (event-writer-worker.ts):
// appends arriving while a commit is in flight form the next group, so a busy API gets one WAL sync for
// many appends, and the fsync of `synchronous = FULL` never blocks the thread serving requests. Reads use
// this thread's own connection (WAL lets readers and the writer work at once). Request decisions that
// appended nothing go through the writer too, so their first-wins check shares the write lock with appends.
//
// Each event carries two hash chains (tamper evidence, see chain.ts): one over its stream, one over the
// whole log in position order, plain or keyed (`chainKey`), with the scheme beside them.
import type {
  AppendRequest,
  AppendResult,
  ChainKey,
  Decision,
  EventStore,
  LogBatch,
  LogFilter,
  ReadAllOptions,
  RecordedDecision,
  RecordedEvent,
  RequestIdentity,
  SubscribeOptions,
} from '@meridian/kernel';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { integerIn, textIn, type Row } from './rows.ts';
import { Worker } from 'node:worker_threads';
import { backfillChains, chainHeadOf } from './chain.ts';
import { migrate, openDatabase, type Synchronous } from './database.ts';
import type { WriterMessage, WriterReply } from './event-writer-worker.ts';
import {
  createEventWriter,
  requestRecordOf,
  toWriteRequest,
  type WriteOutcome,
  type WriteRequest,
  type WriteResult,
} from './event-writer.ts';

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
  // How each event was chained (plain SHA-256 or keyed); NULL for the events chained before: plain.
  `ALTER TABLE events ADD COLUMN chain TEXT;`,
];

export type SqliteEventStoreOptions = {
  /** The database file (under MERIDIAN_DATA_DIR), or ':memory:'. */
  readonly path: string;
  readonly synchronous?: Synchronous;
  /** The reading connection's page cache in KiB (default 32 MiB); `streamingPageCacheKb` for a rebuild. */
  readonly pageCacheKb?: number;
  /**
   * How often a waiting subscription looks for events appended by another process. Appends made through
   * this store wake its subscriptions at once.
   */
  readonly pollIntervalMs?: number;
  readonly now?: () => Date;
  /**
   * Commit on a writer thread (the default) or on this thread. On this thread a FULL sync blocks the event
   * loop for the length of the fsync; the option exists for tools that append from a single loop anyway.
   */
  readonly writerThread?: boolean;
  /** Chain appended events with keyed links (MERIDIAN_CHAIN_KEY); plain SHA-256 links without it. */
  readonly chainKey?: ChainKey;
};

const columns = 'global_position, stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata';

const toRecorded = (row: Row): RecordedEvent => ({
  eventId: textIn(row, 'event_id'),
  type: textIn(row, 'type'),
  schemaVersion: integerIn(row, 'schema_version'),
  streamId: textIn(row, 'stream_id'),
  streamRevision: integerIn(row, 'stream_revision'),
  globalPosition: integerIn(row, 'global_position'),
  recordedAt: textIn(row, 'recorded_at'),
  data: JSON.parse(textIn(row, 'data')),
  metadata: JSON.parse(textIn(row, 'metadata')),
});

/** The log's head: the highest position written (0 for an empty log). */
const headOf = (statement: StatementSync): number => {
  const row = statement.get();
  return row === undefined ? 0 : integerIn(row, 'head');
};

const readStatements = (db: DatabaseSync) => ({
  findRequest: db.prepare('SELECT fingerprint, stream_id, result FROM requests WHERE request_id = ?'),
  readStream: db.prepare(`SELECT ${columns} FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision`),
  head: db.prepare('SELECT coalesce(max(global_position), 0) AS head FROM events'),
});

/** From this many event types on, a filtered read walks positions rather than the type index. */
const broadScanTypes = 4;

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
    // A consumer following whole aggregates lists many types that match most events: walking positions and
    // checking the type is faster than the type index plus a sort. A few types are a selective read.
    const scan = types >= broadScanTypes ? ' NOT INDEXED' : '';
    statement = db.prepare(`SELECT ${columns} FROM events${scan} WHERE ${conditions.join(' AND ')} ORDER BY global_position LIMIT ?`);
    cache.set(key, statement);
  }
  return statement;
};

/** Where appends are committed: a writer thread, or this thread's own connection. */
type Writer = {
  readonly write: (request: WriteRequest) => Promise<WriteOutcome>;
  readonly close: () => Promise<void>;
};

const inlineWriter = (db: DatabaseSync, chainKey: ChainKey | undefined): Writer => {
  const writer = createEventWriter(db, { ...(chainKey !== undefined && { chainKey }) });
  let pending: { write: WriteRequest; resolve: (outcome: WriteOutcome) => void }[] = [];
  const flush = () => {
    const group = pending;
    pending = [];
    const outcomes = writer.write(group.map((item) => item.write));
    group.forEach((item, index) => item.resolve(outcomes[index]!));
  };
  return {
    write: (write) =>
      new Promise((resolve) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ write, resolve });
      }),
    close: async () => {
      if (pending.length > 0) flush();
    },
  };
};

const threadWriter = (path: string, synchronous: Synchronous, chainKey: ChainKey | undefined): Writer => {
  const worker = new Worker(new URL('./event-writer-worker.ts', import.meta.url), {
    workerData: { path, synchronous, ...(chainKey !== undefined && { chainKey }) },
  });
  const waiting = new Map<number, (outcome: WriteOutcome) => void>();
  let nextId = 0;
  let failure: Error | undefined;
  const closed = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // An idle writer must not keep the process alive; one with appends in flight must.
  worker.unref();
  const settle = (id: number, outcome: WriteOutcome) => {
    waiting.get(id)?.(outcome);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
  };
  worker.on('message', (reply: WriterReply) => {
    if (reply.kind === 'results') for (const { id, outcome } of reply.outcomes) settle(id, outcome);
  });
  const failAll = (error: Error) => {
    failure = error;
    for (const id of [...waiting.keys()])
      settle(id, { ok: false, error: { name: error.name, message: `the writer thread failed: ${error.message}` } });
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => code !== 0 && failAll(new Error(`the writer thread exited with ${code}`)));
  return {
    write: (write) => {
      if (failure !== undefined)
        return Promise.resolve({ ok: false, error: { name: 'Error', message: `the writer thread failed: ${failure.message}` } });
      const id = nextId++;
      worker.ref();
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ kind: 'write', id, write } satisfies WriterMessage);
      });
    },
    close: async () => {
      worker.ref();
      worker.postMessage({ kind: 'close' } satisfies WriterMessage);
      await closed;
    },
  };
};

export const createSqliteEventStore = (options: SqliteEventStoreOptions): EventStore => {
  const synchronous = options.synchronous ?? 'FULL';
  // This connection migrates the file (before the writer opens it), then serves reads.
  const db = openDatabase({
    path: options.path,
    synchronous,
    ...(options.pageCacheKb !== undefined && { pageCacheKb: options.pageCacheKb }),
  });
  migrate(db, 'event-store', migrations);
  backfillChains(db);
  const sql = readStatements(db);
  const logQueries = new Map<string, StatementSync>();
  const now = options.now ?? (() => new Date());
  // Another process's appends are only seen by polling; a head query every 10 ms costs next to nothing.
  const pollIntervalMs = options.pollIntervalMs ?? 10;
  const inMemory = options.path === ':memory:';
  // A ':memory:' database is private to its connection: it can only be written where it was opened. The
  // thread starts with the first append: a process that only reads the log (a projector, replay) needs none.
  let started: Writer | undefined;
  const writer = (): Writer =>
    (started ??=
      options.writerThread === false || inMemory
        ? inlineWriter(db, options.chainKey)
        : threadWriter(options.path, synchronous, options.chainKey));
  let closed = false;
  const waiters = new Set<() => void>();

  const write = async (request: WriteRequest): Promise<WriteResult> => {
    if (closed) throw new Error('the event store is closed');
    const outcome = await writer().write(request);
    if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { name: outcome.error.name });
    return outcome.result;
  };

  const append = async (request: AppendRequest): Promise<AppendResult> => {
    const written = await write(toWriteRequest(request, now().toISOString())).finally(() => {
      for (const wake of [...waiters]) wake();
    });
    if (written.kind !== 'append') throw new Error('the writer answered an append with a decision');
    return written.result;
  };

  // Through the writer too: the check for an earlier answer and the insert share its write lock.
  const recordDecision = async (request: RequestIdentity, decision: Decision): Promise<RecordedDecision> => {
    const written = await write({ kind: 'decision', request, decision });
    if (written.kind !== 'decision') throw new Error('the writer answered a decision with an append');
    return written.result;
  };

  const readAllNow = ({ after, batchSize = 500, filter }: ReadAllOptions): LogBatch => {
    const head = headOf(sql.head);
    const parameters: (string | number)[] = [after, head, ...(filter?.eventTypes ?? [])];
    if (filter?.streamPrefix !== undefined) parameters.push(filter.streamPrefix, filter.streamPrefix);
    const rows = logQuery(db, logQueries, filter).all(...parameters, batchSize);
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
    findRequest: async (requestId) => requestRecordOf(sql.findRequest, requestId),
    recordDecision,
    readStream: async (streamId, { fromRevision = 0 } = {}) => sql.readStream.all(streamId, fromRevision).map(toRecorded),
    readAll: async (read) => readAllNow(read),
    subscribe,
    headPosition: async () => headOf(sql.head),
    chainHead: async () => chainHeadOf(db),
    close: async () => {
      if (closed) return;
      closed = true;
      await started?.close();
      for (const wake of [...waiters]) wake();
      db.close();
    },
  };
};
