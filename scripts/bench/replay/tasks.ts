// What one replay figure measures, each run alone in a fresh process (task-main.ts) so that its peak RSS
// is its own: reading the log through the store port, the plain node:sqlite floor, and rebuilding
// ParcelStatusView through the projection runtime into memory or into the SQLite document store.
import type { DocumentStore, EventStore, RecordedEvent } from '@meridian/kernel';
import {
  catchUp,
  generationName,
  parcelStatusProjection,
  physicalCollection,
  parcelsCollection,
  prepareProjection,
} from '@meridian/projections';
import { silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore, streamingPageCacheKb } from '@meridian/sqlite';
import { DatabaseSync } from 'node:sqlite';
import { createMemoryDocumentStore } from './memory-documents.ts';

export type TaskResult = {
  readonly events: number;
  readonly seconds: number;
  /** Peak resident set of the whole process, in MiB. */
  readonly maxRssMb: number;
  /** A figure that proves the work was done (documents written, a checksum). */
  readonly check: number;
  /** The V8 heap still in use after a full GC at the end (what the run retains: the documents, in memory). */
  readonly liveHeapMb?: number;
};

export type Task =
  /** Opens the log once, so a migration the store runs on open happens here, not in a measured process. */
  | { readonly task: 'open'; readonly log: string }
  | { readonly task: 'read-log'; readonly log: string; readonly batchSize: number }
  | { readonly task: 'plain-scan'; readonly log: string; readonly batchSize: number }
  | { readonly task: 'rebuild'; readonly log: string; readonly batchSize: number; readonly into: 'memory' | { readonly sqlite: string } };

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Needs --expose-gc (child.ts passes it); taken after the peak RSS, so the forced GC does not lower it. */
const liveHeapMb = (): number | undefined => {
  if (globalThis.gc === undefined) return undefined;
  globalThis.gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const timed = async (work: () => Promise<{ events: number; check: number }>): Promise<TaskResult> => {
  const started = performance.now();
  const { events, check } = await work();
  const seconds = (performance.now() - started) / 1000;
  return { events, check, seconds, maxRssMb: maxRssMb() };
};

/** Streams the global log in position order, a batch at a time, never holding more than one batch. */
const streamLog = async (
  store: EventStore,
  batchSize: number,
  eventTypes: readonly string[] | undefined,
  each: (events: readonly RecordedEvent[]) => Promise<void> | void,
) => {
  let after = 0;
  for (;;) {
    const batch = await store.readAll({ after, batchSize, ...(eventTypes && { filter: { eventTypes } }) });
    await each(batch.events);
    after = batch.position;
    if (batch.endOfLog) return;
  }
};

const readLog = async (log: string, batchSize: number): Promise<TaskResult> => {
  const store = createSqliteEventStore({ path: log });
  const result = await timed(async () => {
    let events = 0;
    let check = 0;
    await streamLog(store, batchSize, undefined, (batch) => {
      events += batch.length;
      for (const event of batch) check += event.streamRevision;
    });
    return { events, check };
  });
  await store.close();
  return result;
};

type Row = { global_position: number; stream_revision: number; data: string; metadata: string };

/**
 * Keyset pages of plain SQL, each row's data and metadata JSON.parse-d: the same rows and parsing as the
 * port, without it. Pages of `batchSize` with all() beat one iterate() over the whole table here (stepping
 * row by row from JavaScript costs a native call per row), so they are the floor.
 */
const plainScan = async (log: string, batchSize: number): Promise<TaskResult> => {
  const db = new DatabaseSync(log, { readOnly: true });
  const page = db.prepare(
    'SELECT global_position, stream_id, stream_revision, event_id, type, schema_version, recorded_at, data, metadata FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?',
  );
  const result = await timed(async () => {
    let events = 0;
    let check = 0;
    let after = 0;
    for (;;) {
      const rows = page.all(after, batchSize) as Row[];
      for (const row of rows) {
        const data: unknown = JSON.parse(row.data);
        const metadata: unknown = JSON.parse(row.metadata);
        check += row.stream_revision + (data === metadata ? 1 : 0);
      }
      events += rows.length;
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < batchSize) break;
      after = last.global_position;
    }
    return { events, check };
  });
  db.close();
  return result;
};

const parcels = physicalCollection(parcelsCollection, parcelStatusProjection.version);

/**
 * Counts the parcel documents after the peak RSS was taken: a page at a time from SQLite (so it does not
 * load them all), in one page from memory (where they are already).
 */
const countParcels = async (documents: DocumentStore, pageSize: number): Promise<number> => {
  let count = 0;
  let after: string | undefined;
  do {
    const page = await documents.query(parcels, { limit: pageSize, ...(after !== undefined && { after }) });
    count += page.documents.length;
    after = page.next;
  } while (after !== undefined);
  return count;
};

/**
 * The rebuild as `npm run replay` does it (the replay engine's catchUp, small page caches, and the same
 * Node options, given by child.ts): batches as large as the document store's transactions allow, indexes
 * created after the load, a replay checkpoint after each batch.
 * check: the parcel documents written; events: the events the runtime reported as applied.
 */
const rebuild = async (log: string, documents: DocumentStore, pageSize: number): Promise<TaskResult> => {
  const store = createSqliteEventStore({ path: log, pageCacheKb: streamingPageCacheKb });
  const projection = parcelStatusProjection;
  const generation = generationName(projection.version);
  await prepareProjection(documents, projection, generation, { withIndexes: false });
  const result = await timed(async () => {
    const checkpoint = await catchUp({ log: store, documents, projection, logger: silentLogger }, generation);
    await prepareProjection(documents, projection, generation);
    return { events: checkpoint.events, check: 0 };
  });
  const live = liveHeapMb();
  const check = await countParcels(documents, pageSize);
  await store.close();
  await documents.close();
  return { ...result, check, ...(live !== undefined && { liveHeapMb: live }) };
};

export const runTask = (task: Task): Promise<TaskResult> => {
  switch (task.task) {
    case 'open':
      return timed(async () => {
        await createSqliteEventStore({ path: task.log }).close();
        return { events: 0, check: 0 };
      });
    case 'read-log':
      return readLog(task.log, task.batchSize);
    case 'plain-scan':
      return plainScan(task.log, task.batchSize);
    case 'rebuild': {
      // The in-memory store takes transactions of any size, as SQLite's nearly does.
      if (task.into === 'memory') return rebuild(task.log, { ...createMemoryDocumentStore(), maxWritesPerTransaction: 20_000 }, 10_000_000);
      return rebuild(task.log, createSqliteDocumentStore({ path: task.into.sqlite, pageCacheKb: streamingPageCacheKb }), 500);
    }
  }
};
