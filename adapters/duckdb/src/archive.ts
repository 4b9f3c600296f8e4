// The embedded event archive: one DuckDB file with the same tables as the BigQuery archive.
//
// One writer per file. DuckDB lets one process open a file for writing, and then no other process may open
// it at all, not even to read; several processes may open it read-only together, but only while no process
// writes. So:
// - the process that runs the archiver opens the archive once (read-write) and everything in that process
//   shares it: the archiver writes through it and the audit API answers find and sql through it (on
//   connections of their own, sql in a READ ONLY transaction);
// - the audit CLI, another process, opens the file with `readOnly: true`, asks, and closes at once. While the
//   platform runs, the file is locked and the CLI gets DuckDbArchiveLocked: it should then ask the running
//   platform's audit API instead (and while a CLI holds the file, the archiver cannot open it).
// Within one process DuckDB's file lock does not stop a second instance on the same file, which would then
// corrupt it; opening a path twice in one process is refused here for that reason.
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { archivePageOf, sqlAnswerOf, type ArchivedPing, type EventArchive, type RecordedEvent } from '@meridian/kernel';
import {
  archiveEventColumns,
  archiveEventRow,
  distinctEvents,
  distinctPings,
  eventFromArchiveRow,
  type ArchiveEventRow,
} from '@meridian/archive-sql';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createAnchorsTable, insertAnchor, readAnchors } from './anchors.ts';
import { findQuery } from './find.ts';
import { runReadOnly } from './read-only.ts';
import { createStaging, createTables, eventStaging, moveStagedEvents, moveStagedTelemetry, telemetryStaging } from './schema.ts';
import { numberOf, recordedAtOf, textOf } from './values.ts';

export type DuckDbArchiveOptions = {
  /** A file (under MERIDIAN_DATA_DIR in the apps), or ':memory:'. */
  readonly path: string;
  /** For find and sql only, from a process other than the writer's; the file must exist. */
  readonly readOnly?: boolean;
};

/** Another process has the file open (the archiver, or a reader while this one wants to write). */
export class DuckDbArchiveLocked extends Error {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(
      `the archive ${path} is open in another process; DuckDB allows one writing process per file, or readers only. ` +
        'While the platform runs, query the archive through its audit API.',
      { cause },
    );
    this.name = 'DuckDbArchiveLocked';
    this.path = path;
  }
}

const openInThisProcess = new Set<string>();

const instanceOptions = (readOnly: boolean): Record<string, string> => ({
  access_mode: readOnly ? 'READ_ONLY' : 'READ_WRITE',
  // The archive needs no file but its own: no COPY, read_csv, ATTACH or extension downloads from auditors' SQL.
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  // Nor may a query SET any of the above back.
  lock_configuration: 'true',
});

const openInstance = async (path: string, readOnly: boolean): Promise<DuckDBInstance> => {
  if (path !== ':memory:' && !readOnly) mkdirSync(dirname(path), { recursive: true });
  try {
    return await DuckDBInstance.create(path, instanceOptions(readOnly));
  } catch (error) {
    if (error instanceof Error && /Could not set lock on file/.test(error.message)) throw new DuckDbArchiveLocked(path, error);
    throw error;
  }
};

/** Runs tasks one after another: one writer connection, and DuckDB would refuse two racing inserts of one key. */
const serially = () => {
  let tail: Promise<unknown> = Promise.resolve();
  return <A>(task: () => Promise<A>): Promise<A> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
};

const inTransaction = async <A>(connection: DuckDBConnection, run: () => Promise<A>): Promise<A> => {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await run();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
};

const appendAll = async <R>(
  connection: DuckDBConnection,
  table: string,
  rows: readonly R[],
  appendRow: (appender: DuckDBAppender, row: R) => void,
) => {
  const appender = await connection.createAppender(table);
  try {
    for (const row of rows) {
      appendRow(appender, row);
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
};

/** The row's columns in table order (the staging table's too); every number in an event row is an integer column. */
const appendEventRow = (appender: DuckDBAppender, row: ArchiveEventRow) => {
  for (const column of archiveEventColumns) {
    const value = row[column];
    if (value === null) appender.appendNull();
    else if (typeof value === 'number') appender.appendBigInt(BigInt(value));
    else appender.appendVarchar(value);
  }
};

const appendPing = (appender: DuckDBAppender, ping: ArchivedPing) => {
  appender.appendVarchar(ping.vehicleId);
  appender.appendDouble(ping.lat);
  appender.appendDouble(ping.lng);
  appender.appendDouble(ping.speed);
  appender.appendDouble(ping.heading);
  appender.appendVarchar(ping.recordedAt);
};

/** Appends to the staging table, moves what is new, empties the staging table: all or nothing. */
const stageAndMove = async <R>(
  writer: DuckDBConnection,
  staging: string,
  move: string,
  rows: readonly R[],
  appendRow: (appender: DuckDBAppender, row: R) => void,
) =>
  inTransaction(writer, async () => {
    await appendAll(writer, staging, rows, appendRow);
    const { rowsChanged } = await writer.run(move);
    await writer.run(`DELETE FROM ${staging}`);
    return { inserted: rowsChanged };
  });

const eventOfRow = (row: Record<string, DuckDBValue>): RecordedEvent =>
  eventFromArchiveRow({
    event_id: textOf(row['event_id'] ?? null),
    type: textOf(row['type'] ?? null),
    schema_version: numberOf(row['schema_version'] ?? null),
    stream_id: textOf(row['stream_id'] ?? null),
    stream_revision: numberOf(row['stream_revision'] ?? null),
    global_position: numberOf(row['global_position'] ?? null),
    recorded_at: recordedAtOf(row['recorded_at'] ?? null),
    data: textOf(row['data'] ?? null),
    metadata: textOf(row['metadata'] ?? null),
  });

const withConnection = async <A>(instance: DuckDBInstance, run: (connection: DuckDBConnection) => Promise<A>): Promise<A> => {
  const connection = await instance.connect();
  try {
    return await run(connection);
  } finally {
    connection.closeSync();
  }
};

const claimPath = (path: string): string | undefined => {
  if (path === ':memory:') return undefined;
  const key = resolve(path);
  if (openInThisProcess.has(key)) throw new Error(`the archive ${path} is already open in this process: share that one`);
  openInThisProcess.add(key);
  return key;
};

/** The instance, and for a writable archive its writer connection with the tables made sure of. */
const openArchive = async (path: string, readOnly: boolean) => {
  const instance = await openInstance(path, readOnly);
  if (readOnly) return { instance, writer: undefined };
  try {
    const writer = await instance.connect();
    for (const statement of [...createTables, createAnchorsTable, ...createStaging]) await writer.run(statement);
    return { instance, writer };
  } catch (error) {
    instance.closeSync();
    throw error;
  }
};

export const createDuckDbArchive = async ({ path, readOnly = false }: DuckDbArchiveOptions): Promise<EventArchive> => {
  if (readOnly && path === ':memory:') throw new RangeError('a read-only archive reads a file: give its path');
  const claimed = claimPath(path);
  const { instance, writer } = await openArchive(path, readOnly).catch((error: unknown) => {
    if (claimed !== undefined) openInThisProcess.delete(claimed);
    throw error;
  });
  const queue = serially();
  let closed = false;

  const open = () => {
    if (closed) throw new Error(`the archive ${path} is closed`);
    return instance;
  };
  const writable = () => {
    open();
    if (writer === undefined) throw new Error(`the archive ${path} was opened read-only`);
    return writer;
  };

  return {
    write: async (events) => {
      const connection = writable();
      const rows = distinctEvents(events).map(archiveEventRow);
      if (rows.length === 0) return { inserted: 0 };
      return queue(() => stageAndMove(connection, eventStaging, moveStagedEvents, rows, appendEventRow));
    },
    writeTelemetry: async (pings) => {
      const connection = writable();
      const rows = distinctPings(pings);
      if (rows.length === 0) return { inserted: 0 };
      return queue(() => stageAndMove(connection, telemetryStaging, moveStagedTelemetry, rows, appendPing));
    },
    find: async (filter, page) => {
      const query = findQuery(filter, page);
      const rows = await withConnection(open(), async (connection) =>
        (await connection.runAndReadAll(query.sql, query.params)).getRowObjects(),
      );
      return archivePageOf(rows.map(eventOfRow), page.limit);
    },
    sql: async (query, options) => sqlAnswerOf(() => withConnection(open(), (connection) => runReadOnly(connection, query, options))),
    writeAnchor: async (anchor) => {
      const connection = writable();
      return queue(() => insertAnchor(connection, anchor));
    },
    anchors: async (page) => withConnection(open(), (connection) => readAnchors(connection, page)),
    close: async () => {
      if (closed) return;
      closed = true;
      await queue(async () => undefined);
      writer?.closeSync();
      instance.closeSync();
      if (claimed !== undefined) openInThisProcess.delete(claimed);
    },
  };
};
