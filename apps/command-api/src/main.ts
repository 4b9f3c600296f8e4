// Composition root of the command API as its own process (the cloud wiring): decode the environment,
// bind the port, open the event store it names, serve. API keys are required here; only the local app makes
// its own. A start that fails says why in one line (exit 78 for configuration).
import { bindPort, keyring } from '@meridian/http';
import {
  closeOnSignals,
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  startOrExit,
  variablesHelp,
} from '@meridian/runtime';
import { commonVariables, dataDirFor, defaultPort, eventStoreVariables, openEventStore } from '@meridian/wiring';
import { createApp } from './app.ts';

const service = 'command-api';
const variables = { ...commonVariables, ...eventStoreVariables };
commandLineOrExit(service, {
  command: 'node apps/command-api/src/main.ts',
  synopsis: '',
  summary:
    'The command API alone, as on Cloud Run: validated commands in, events appended to the event store\n(EventStoreDB, ' +
    'or the embedded SQLite file in MERIDIAN_DATA_DIR). MERIDIAN_API_KEYS is required.',
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
  const store = openEventStore(withProject, logger, dataDirFor(withProject, { eventStore: true }));
  const server = bound.serve(createApp({ store, findPrincipal: keyring(MERIDIAN_API_KEYS), logger }));
  logger.info('command API listening', { url: server.url });
  closeOnSignals(logger, [
    { name: 'http', close: () => server.close() },
    { name: 'event store', close: store.close },
  ]);
});
