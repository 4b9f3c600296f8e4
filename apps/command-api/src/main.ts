// Composition root of the command API as its own process (the cloud wiring): decode the environment,
// open the event store it names, serve. API keys are required here; only the local app makes its own.
import { keyring, serve } from '@meridian/http';
import { closeOnSignals, configOrExit, createLogger, decodeEnvironment } from '@meridian/runtime';
import { commonVariables, defaultPort, eventStoreVariables, openEventStore } from '@meridian/wiring';
import { createApp } from './app.ts';

const service = 'command-api';
const { MERIDIAN_API_KEYS, PORT, MERIDIAN_LOG_LEVEL, GOOGLE_CLOUD_PROJECT, ...storeConfig } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, { ...commonVariables, ...eventStoreVariables }),
);
const logger = createLogger({ service, level: MERIDIAN_LOG_LEVEL ?? 'INFO', ...(GOOGLE_CLOUD_PROJECT !== undefined && { project: GOOGLE_CLOUD_PROJECT }) });
// The project is also where a Spanner event store lives.
const store = openEventStore({ ...storeConfig, ...(GOOGLE_CLOUD_PROJECT !== undefined && { GOOGLE_CLOUD_PROJECT }) }, logger);
const server = await serve(createApp({ store, findPrincipal: keyring(MERIDIAN_API_KEYS), logger }), { port: PORT ?? defaultPort, host: '0.0.0.0' });
logger.info('command API listening', { url: server.url });
closeOnSignals(logger, [
  { name: 'http', close: () => server.close() },
  { name: 'event store', close: store.close },
]);
