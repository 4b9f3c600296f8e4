// A worker process running one effect reactor over SQLite (the log and the documents in a data dir), every
// batch delivered twice, until it is killed: the effects tests kill it with SIGKILL mid-send.
// Arguments: <data dir> <gateway url> <claim ms>.
import { silentLogger } from '@meridian/kernel';
import { deliveringTwice } from '@meridian/kernel/testing';
import { effectConsumer, effectSubscription, streamDeliveries } from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { join } from 'node:path';
import { logEvents } from '../bus.ts';
import { postTo, probeNotifications } from './probe-effects.ts';

const [dataDir = '.', gatewayUrl = '', claimMs = '1000'] = process.argv.slice(2);
const log = createSqliteEventStore({ path: join(dataDir, 'events.sqlite') });
const documents = createSqliteDocumentStore({ path: join(dataDir, 'documents.sqlite') });
const consumer = effectConsumer(
  { documents, logger: silentLogger, claimMs: Number(claimMs), context: async () => undefined, perform: postTo(gatewayUrl) },
  probeNotifications,
);
const subscription = deliveringTwice(logEvents({ log, state: documents, logger: silentLogger })(effectSubscription(probeNotifications)));
process.stdout.write('running\n');
await subscription(streamDeliveries({ documents, logger: silentLogger, consumer: () => consumer }), {
  signal: new AbortController().signal,
  maxBatch: 50,
});
