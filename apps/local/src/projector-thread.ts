// The projector thread of the embedded platform: its own connections to the event log and the read
// models, every projection applying what the log delivers, and back to the main thread the changes (for
// live updates) and where each projector stands.
import { platformProjections } from '@meridian/projections';
import { createLogger } from '@meridian/runtime';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { logEvents, projectorConsumers, startConsumers } from '@meridian/wiring';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeWorkerData, type ProjectorThreadMessage } from './projectors.ts';

const { eventsPath, documentsPath, logLevel } = decodeWorkerData(workerData);
const port = parentPort!;
const send = (message: ProjectorThreadMessage) => port.postMessage(message);

const logger = createLogger({ service: 'meridian-local', level: logLevel, write: (line) => send({ kind: 'log', line }) });
const store = createSqliteEventStore({ path: eventsPath });
const documents = createSqliteDocumentStore({ path: documentsPath, onCommit: (changes) => send({ kind: 'changes', changes }) });
const projectors = startConsumers(
  projectorConsumers(
    { bus: { events: logEvents({ log: store, state: documents, logger }), holdGapsMs: 0 }, documents, logger },
    platformProjections,
  ),
  { logger },
);
const reporting = setInterval(() => send({ kind: 'snapshots', snapshots: projectors.snapshots() }), 250);

port.on('message', async (message: { kind: 'stop' }) => {
  if (message.kind !== 'stop') return;
  clearInterval(reporting);
  await projectors.stop();
  await documents.close();
  await store.close();
  send({ kind: 'stopped' });
  port.close();
});
