// Emmett's SQLite event store (0.38.5) on the append benchmark's workload, in its fastest configuration:
// one long-lived connection. Version 0.38.5's getSQLiteEventStore has no option to keep a file connection
// (it opens and closes one per operation), so this calls the append its store runs, the exported
// appendToStream, on one sqliteConnection kept open for the whole run, with PRAGMA journal_mode=WAL and
// PRAGMA synchronous=NORMAL on it. Appends go one at a time: the connection's transactions are not safe to
// interleave (concurrent calls join the first one's transaction and resolve before it commits).
// Run on the machine's Node (its sqlite3 is a native module built for it); prints one JSON line.
import { appendToStream, createEventStoreSchema, sqliteConnection } from '@event-driven-io/emmett-sqlite';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    streams: { type: 'string' },
    perStream: { type: 'string' },
    block: { type: 'string', default: '128' },
    singleData: { type: 'string' },
    singleMetadata: { type: 'string' },
    tenData: { type: 'string' },
    tenMetadata: { type: 'string' },
  },
});
const number = (name) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, got ${values[name]}`);
  return value;
};

/** Event data whose JSON is about `bytes` long, like the platform's events in the same run. */
const dataOfSize = (bytes, tag) => ({ tag, pad: 'x'.repeat(Math.max(0, bytes - `{"tag":"${tag}","pad":""}`.length)) });

const openConnection = async (fileName) => {
  const connection = sqliteConnection({ fileName });
  await connection.command('PRAGMA journal_mode = WAL');
  await connection.command('PRAGMA synchronous = NORMAL');
  await createEventStoreSchema(connection);
  const journalMode = (await connection.querySingle('PRAGMA journal_mode')).journal_mode;
  const synchronous = ['OFF', 'NORMAL', 'FULL', 'EXTRA'][(await connection.querySingle('PRAGMA synchronous')).synchronous];
  const sqlite = (await connection.querySingle('SELECT sqlite_version() AS version')).version;
  return { connection, settings: { journalMode, synchronous, sqlite } };
};

const streamName = (prefix, index) => `${prefix}-${prefix[0].toUpperCase()}${String(index).padStart(6, '0')}`;

/** `perStream` appends of `size` events to each stream, with the expected version each time. */
const appendAll = async (connection, { prefix, streams, perStream, size, block, data, metadata }) => {
  const events = Array.from({ length: size }, () => ({ type: `${prefix}.appended.v1`, data, metadata }));
  const started = performance.now();
  for (let first = 0; first < streams; first += block)
    for (let round = 0; round < perStream; round++)
      for (let stream = first; stream < Math.min(streams, first + block); stream++) {
        const result = await appendToStream(connection, streamName(prefix, stream), prefix, events, {
          expectedStreamVersion: BigInt(round * size),
        });
        if (!result.success) throw new Error(`append refused: ${streamName(prefix, stream)} round ${round}`);
      }
  return { events: streams * perStream * size, seconds: (performance.now() - started) / 1000 };
};

const runOn = async (path, workload) => {
  const { connection, settings } = await openConnection(path);
  try {
    return { ...(await appendAll(connection, workload)), ...settings };
  } finally {
    connection.close();
  }
};

const dir = values.dir;
if (dir === undefined) throw new Error('--dir is required');
mkdirSync(dir, { recursive: true });
const streams = number('streams');
const block = number('block');
try {
  const single = await runOn(join(dir, 'emmett-single.db'), {
    prefix: 'parcel',
    streams,
    perStream: number('perStream'),
    size: 1,
    block,
    data: dataOfSize(number('singleData'), 'data'),
    metadata: dataOfSize(number('singleMetadata'), 'metadata'),
  });
  const ten = await runOn(join(dir, 'emmett-ten.db'), {
    prefix: 'ledger',
    streams,
    perStream: 1,
    size: 10,
    block,
    data: dataOfSize(number('tenData'), 'data'),
    metadata: dataOfSize(number('tenMetadata'), 'metadata'),
  });
  process.stdout.write(`${JSON.stringify({ node: process.versions.node, single, ten })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
