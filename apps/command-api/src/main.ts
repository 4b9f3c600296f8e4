// Composition root of the command API as its own process (the cloud wiring): decode the environment,
// bind the port, open the event store it names and the read models its edge checks read (Firestore, or the
// embedded SQLite file), serve. API keys are required here; only the local app makes its own. A start that
// fails says why in one line (exit 78 for configuration).
import { bindPort, keyring } from '@meridian/http';
import {
  closeOnSignals,
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  startOrExit,
  variablesHelp,
  installTelemetry,
} from '@meridian/runtime';
import {
  commonVariables,
  dataDirFor,
  defaultPort,
  eventStoreVariables,
  blobVariables,
  openBlobStore,
  openDocumentStore,
  openEventStore,
  readModelVariables,
} from '@meridian/wiring';
import { createApp } from './app.ts';

const service = 'command-api';
// Spans and metrics under this service's name; OTLP export when the OTEL_* variables ask for it.
installTelemetry({ service });
const variables = { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...blobVariables };
commandLineOrExit(service, {
  command: 'node apps/command-api/src/main.ts',
  synopsis: '',
  summary:
    'The command API alone, as on Cloud Run: validated commands in, events appended to the event store\n(Spanner, EventStoreDB, or the embedded SQLite file in MERIDIAN_DATA_DIR); rules that span aggregates\nchecked against the read models (Firestore, or the embedded SQLite file). MERIDIAN_API_KEYS is required.',
  options: {},
  notes: variablesHelp(variables),
});
const { MERIDIAN_API_KEYS, PORT, MERIDIAN_LOG_LEVEL, GOOGLE_CLOUD_PROJECT, ...storeConfig } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, variables),
);

await startOrExit(service, async () => {
  const bound = await bindPort({ port: PORT ?? defaultPort, host: '0.0.0.0' });
  const logger = createLogger({
    service,
    level: MERIDIAN_LOG_LEVEL ?? 'INFO',
    ...(GOOGLE_CLOUD_PROJECT !== undefined && { project: GOOGLE_CLOUD_PROJECT }),
  });
  // The project is also where a Spanner event store lives.
  const withProject = { ...storeConfig, ...(GOOGLE_CLOUD_PROJECT !== undefined && { GOOGLE_CLOUD_PROJECT }) };
  const dataDir = dataDirFor(withProject, { eventStore: true, readModels: true });
  const store = openEventStore(withProject, logger, dataDir);
  const documents = openDocumentStore(withProject, logger, dataDir);
  const blobs = openBlobStore(withProject, logger, dataDir);
  const server = bound.serve(createApp({ store, documents, blobs, findPrincipal: keyring(MERIDIAN_API_KEYS), logger }));
  logger.info('command API listening', { url: server.url });
  closeOnSignals(logger, [
    { name: 'http', close: () => server.close() },
    { name: 'read models', close: documents.close },
    { name: 'event store', close: store.close },
  ]);
});
