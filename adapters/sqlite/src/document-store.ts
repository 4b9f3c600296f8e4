// The embedded document store: one table per collection, each document a JSON text keyed by id, queried
// through json_extract with expression indexes for the queries the read models declare.
import {
  assertCollectionName,
  decodeCursor,
  documentKey,
  encodeCursor,
  isDocument,
  type Document,
  type DocumentChange,
  type DocumentKey,
  type DocumentQuery,
  type DocumentStore,
  expiryField,
  type FieldFilter,
  type Scalar,
} from '@meridian/kernel';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { openDatabase, type Synchronous } from './database.ts';
import { textIn, type Row } from './rows.ts';

export type SqliteDocumentStoreOptions = {
  readonly path: string;
  readonly synchronous?: Synchronous;
  /** The page cache in KiB (default 32 MiB); `streamingPageCacheKb` for a rebuild. */
  readonly pageCacheKb?: number;
  /** Called after every commit with its changes: to tell another thread's watchers (see `announce`). */
  readonly onCommit?: (changes: readonly DocumentChange[]) => void;
  /**
   * How often documents past their `expireAt` are deleted (default hourly; 0: never, a reader of a file it
   * does not own). SQLite has no TTL of its own: this is the embedded stand-in for Firestore's TTL policies.
   */
  readonly deleteExpiredEveryMs?: number;
};

export type SqliteDocumentStore = DocumentStore & {
  /**
   * Tells this store's watchers about changes committed through another connection to the same file (a
   * projector thread): watchers only hear commits made here otherwise.
   */
  readonly announce: (changes: readonly DocumentChange[]) => void;
  /** Deletes the documents of every collection whose `expireAt` is before `now`; answers how many (watchers hear each). */
  readonly deleteExpired: (now?: Date) => Promise<number>;
};

/** By default expired documents are deleted once an hour (Firestore's own TTL deletes within a day or so). */
export const defaultDeleteExpiredEveryMs = 3_600_000;

const fieldPattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const tableOf = (collection: string) => {
  assertCollectionName(collection);
  return `"docs/${collection}"`;
};

const fieldExpression = (field: string) => {
  if (!fieldPattern.test(field)) throw new Error(`invalid field name "${field}"`);
  return `json_extract(data, '$.${field}')`;
};

/** SQLite reads JSON booleans back as 1 and 0, so parameters compare the same way. */
/** A stored document's JSON text (only documents are written, so anything else is a broken file). */
const documentIn = (row: Row): Document => {
  const document: unknown = JSON.parse(textIn(row, 'data'));
  if (!isDocument(document)) throw new TypeError(`document ${textIn(row, 'id')} is not a JSON object`);
  return document;
};

const sqlValue = (value: Scalar): SQLInputValue => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

const filterSql = (filter: FieldFilter): { sql: string; parameters: SQLInputValue[] } => {
  if (filter.op === '==')
    return filter.value === null
      ? { sql: `${fieldExpression(filter.field)} IS NULL`, parameters: [] }
      : { sql: `${fieldExpression(filter.field)} = ?`, parameters: [sqlValue(filter.value)] };
  if (filter.value.length === 0) return { sql: '0', parameters: [] };
  return { sql: `${fieldExpression(filter.field)} IN (${filter.value.map(() => '?').join(', ')})`, parameters: filter.value.map(sqlValue) };
};

export const createSqliteDocumentStore = ({
  path,
  synchronous = 'NORMAL',
  pageCacheKb,
  onCommit,
  deleteExpiredEveryMs = defaultDeleteExpiredEveryMs,
}: SqliteDocumentStoreOptions): SqliteDocumentStore => {
  // Read models are rebuildable from the log, so NORMAL is the default: a lost machine costs a replay.
  const db: DatabaseSync = openDatabase({ path, synchronous, ...(pageCacheKb !== undefined && { pageCacheKb }) });
  const tables = new Set<string>();
  const statements = new Map<string, StatementSync>();
  /** Statements are prepared once per SQL text: the hot paths (rebuilds) run the same few shapes. */
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const listeners = new Map<string, Set<(change: DocumentChange) => void>>();
  let closed = false;

  const ensureTable = (collection: string) => {
    if (tables.has(collection)) return tableOf(collection);
    const table = tableOf(collection);
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, data TEXT NOT NULL) STRICT, WITHOUT ROWID`);
    tables.add(collection);
    return table;
  };

  const readMany = (keys: readonly DocumentKey[]): Map<string, Document> => {
    const found = new Map<string, Document>();
    const byCollection = Map.groupBy(keys, (key) => key.collection);
    for (const [collection, group] of byCollection) {
      const ids = [...new Set(group.map((key) => key.id))];
      const table = ensureTable(collection);
      for (let i = 0; i < ids.length; i += 500) {
        const slice = ids.slice(i, i + 500);
        const rows = prepare(`SELECT id, data FROM ${table} WHERE id IN (${slice.map(() => '?').join(', ')})`).all(...slice);
        for (const row of rows) found.set(documentKey({ collection, id: textIn(row, 'id') }), documentIn(row));
      }
    }
    return found;
  };

  const notify = (changes: readonly DocumentChange[]) => {
    for (const change of changes) for (const listener of listeners.get(change.collection) ?? []) listener(change);
  };

  /** One transaction: the ids past their expiry read and deleted together, so no write in between is lost. */
  const deleteExpired = (now: Date): number => {
    if (closed) return 0;
    const collections = prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'docs/%'`)
      .all()
      .map((row) => textIn(row, 'name').slice('docs/'.length));
    const expiry = `json_extract(data, '$.${expiryField}')`;
    const changes: DocumentChange[] = [];
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const collection of collections) {
        const table = tableOf(collection);
        const ids = prepare(`SELECT id FROM ${table} WHERE ${expiry} < ?`)
          .all(now.toISOString())
          .map((row) => textIn(row, 'id'));
        if (ids.length === 0) continue;
        prepare(`DELETE FROM ${table} WHERE ${expiry} < ?`).run(now.toISOString());
        changes.push(...ids.map((id) => ({ collection, id, document: undefined })));
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    notify(changes);
    if (changes.length > 0) onCommit?.(changes);
    return changes.length;
  };
  const sweeping =
    deleteExpiredEveryMs > 0
      ? setInterval(() => {
          try {
            deleteExpired(new Date());
          } catch {
            // A sweep that fails (the file busy) is the next one's to do: expiry is not urgent.
          }
        }, deleteExpiredEveryMs).unref()
      : undefined;

  return {
    maxWritesPerTransaction: 20_000,
    announce: notify,
    get: async (collection, id) => readMany([{ collection, id }]).get(documentKey({ collection, id })),

    query: async (collection, { where = [], orderBy, limit, after }: DocumentQuery) => {
      const table = ensureTable(collection);
      const filters = where.map(filterSql);
      const conditions = filters.map((f) => f.sql);
      const parameters = filters.flatMap((f) => f.parameters);
      const order = orderBy === undefined ? 'id' : fieldExpression(orderBy.field);
      const descending = orderBy?.direction === 'desc';
      const cursor = after === undefined ? undefined : decodeCursor(after);
      if (cursor !== undefined) {
        conditions.push(orderBy === undefined ? `id ${descending ? '<' : '>'} ?` : `(${order}, id) ${descending ? '<' : '>'} (?, ?)`);
        parameters.push(...(orderBy === undefined ? [cursor.id] : [sqlValue(cursor.value), cursor.id]));
      }
      const direction = descending ? 'DESC' : 'ASC';
      const sql =
        `SELECT id, data, ${order} AS sort FROM ${table}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ` +
        `ORDER BY ${orderBy === undefined ? 'id' : `${order} ${direction}, id`} ${direction} LIMIT ?`;
      const rows = prepare(sql).all(...parameters, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        documents: page.map((row) => ({ id: textIn(row, 'id'), document: documentIn(row) })),
        ...(rows.length > limit && last !== undefined && { next: encodeCursor(last['sort'], textIn(last, 'id')) }),
      };
    },

    transact: async (keys, compute) => {
      if (closed) throw new Error('the document store is closed');
      db.exec('BEGIN IMMEDIATE');
      let changes: DocumentChange[];
      let result;
      try {
        const outcome = compute(readMany(keys));
        result = outcome.result;
        changes = outcome.writes.map(({ collection, id, document }) => {
          const table = ensureTable(collection);
          if (document === undefined) prepare(`DELETE FROM ${table} WHERE id = ?`).run(id);
          else
            prepare(`INSERT INTO ${table} (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data`).run(
              id,
              JSON.stringify(document),
            );
          return { collection, id, document };
        });
        db.exec('COMMIT');
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        // A table made in this transaction is gone with it: forget what was made, it is made again when needed.
        tables.clear();
        throw error;
      }
      notify(changes);
      if (changes.length > 0) onCommit?.(changes);
      return result;
    },

    watch: (collection, listener, { id } = {}) => {
      const filtered = id === undefined ? listener : (change: DocumentChange) => change.id === id && listener(change);
      const set = listeners.get(collection) ?? new Set();
      set.add(filtered);
      listeners.set(collection, set);
      return () => set.delete(filtered);
    },

    ensureCollection: async (collection, { indexes = [] } = {}) => {
      const table = ensureTable(collection);
      for (const fields of indexes) {
        const name = `"idx/${collection}/${fields.join('+')}"`;
        db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${fields.map(fieldExpression).join(', ')}, id)`);
      }
    },

    dropCollection: async (collection) => {
      db.exec(`DROP TABLE IF EXISTS ${tableOf(collection)}`);
      tables.delete(collection);
      // Statements on a dropped table cannot run again.
      for (const sql of statements.keys()) if (sql.includes(tableOf(collection))) statements.delete(sql);
    },

    deleteExpired: async (now = new Date()) => deleteExpired(now),

    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(sweeping);
      listeners.clear();
      db.close();
    },
  };
};
