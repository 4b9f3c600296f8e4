// Emmett's side of the replay benchmark, on the machine's Node 20 (its sqlite3 driver is built for it).
//   node replay-log.mjs build <meridian log.db> <emmett.db> <events>
//     copies the first <events> events of Meridian's log, in global order, into Emmett's SQLite store with
//     Emmett's own appendToStream (one event per append, expected stream version given, 5,000 appends per
//     outer transaction, synchronous=NORMAL on its one connection); the manifest written last marks it done.
//   node replay-log.mjs consumer <emmett.db> <events> <batchSize>
//     store.consumer() with one processor, startFrom 'BEGINNING', pulling { batchSize, pullingFrequencyInMs: 0 },
//     stopped after <events> events (its processor stores a checkpoint per message, in one transaction per batch).
//   node replay-log.mjs read <emmett.db> <batchSize>
//     the whole log with readMessagesBatch (its fastest global read: no checkpoints).
// Prints one JSON line: { events, seconds, check }.
import {
  appendToStream,
  createEventStoreSchema,
  getSQLiteEventStore,
  readMessagesBatch,
  sqliteConnection,
} from '@event-driven-io/emmett-sqlite';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import sqlite3 from 'sqlite3';

const [mode, ...args] = process.argv.slice(2);

const all = (db, sql, params) =>
  new Promise((resolve, reject) => db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows))));

const build = async (source, target, events) => {
  const manifest = `${target}.json`;
  if (existsSync(target) && existsSync(manifest)) return { events, seconds: 0, check: 0, cached: true };
  for (const file of [target, `${target}-wal`, `${target}-shm`]) rmSync(file, { force: true });
  const meridian = new sqlite3.Database(source, sqlite3.OPEN_READONLY);
  const connection = sqliteConnection({ fileName: target });
  await connection.command('PRAGMA synchronous = NORMAL');
  await createEventStoreSchema(connection);
  const started = performance.now();
  let after = 0;
  let copied = 0;
  while (copied < events) {
    const rows = await all(
      meridian,
      'SELECT global_position, stream_id, stream_revision, type, data, metadata FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?',
      [after, Math.min(5_000, events - copied)],
    );
    if (rows.length === 0) break;
    await connection.withTransaction(async () => {
      for (const row of rows) {
        const message = { type: row.type, data: JSON.parse(row.data), metadata: JSON.parse(row.metadata) };
        const result = await appendToStream(connection, row.stream_id, 'parcel', [message], {
          expectedStreamVersion: BigInt(row.stream_revision),
        });
        if (!result.success) throw new Error(`Emmett refused ${row.stream_id}@${row.stream_revision}`);
      }
    });
    copied += rows.length;
    after = rows[rows.length - 1].global_position;
  }
  await connection.command('PRAGMA wal_checkpoint(TRUNCATE)');
  const seconds = (performance.now() - started) / 1000;
  connection.close();
  meridian.close();
  writeFileSync(manifest, `${JSON.stringify({ events: copied, seconds })}\n`);
  return { events: copied, seconds, check: copied };
};

const consume = async (fileName, events, batchSize) => {
  const store = getSQLiteEventStore({ fileName, schema: { autoMigration: 'None' } });
  const consumer = store.consumer({ pulling: { batchSize, pullingFrequencyInMs: 0 } });
  let count = 0;
  let check = 0;
  consumer.processor({
    processorId: `bench-${randomUUID()}`,
    startFrom: 'BEGINNING',
    stopAfter: () => count >= events,
    eachMessage: (message) => {
      count += 1;
      check += Number(message.metadata.streamPosition);
    },
  });
  const started = performance.now();
  await consumer.start();
  const seconds = (performance.now() - started) / 1000;
  await consumer.close();
  return { events: count, seconds, check };
};

const read = async (fileName, batchSize) => {
  const connection = sqliteConnection({ fileName });
  const started = performance.now();
  let after = 0n;
  let count = 0;
  let check = 0;
  for (;;) {
    const batch = await readMessagesBatch(connection, { after, batchSize });
    count += batch.messages.length;
    for (const message of batch.messages) check += Number(message.metadata.streamPosition);
    after = batch.currentGlobalPosition;
    if (!batch.areEventsLeft) break;
  }
  const seconds = (performance.now() - started) / 1000;
  connection.close();
  return { events: count, seconds, check };
};

const result =
  mode === 'build'
    ? await build(args[0], args[1], Number(args[2]))
    : mode === 'consumer'
      ? await consume(args[0], Number(args[1]), Number(args[2]))
      : mode === 'read'
        ? await read(args[0], Number(args[1]))
        : undefined;
if (result === undefined) throw new Error('usage: replay-log.mjs build|consumer|read ...');
process.stdout.write(`${JSON.stringify(result)}\n`);
