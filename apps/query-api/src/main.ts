// Composition root of the query API as its own process: read models from Firestore (or the embedded
// SQLite file), live updates from Firestore listeners.
import { keyring, serve } from '@meridian/http';
import { closeOnSignals, configOrExit, createLogger, decodeEnvironment } from '@meridian/runtime';
import { commonVariables, defaultDataDir, defaultPort, openDocumentStore, readModelVariables } from '@meridian/wiring';
import { resolve } from 'node:path';
import { createApp } from './app.ts';

const service = 'query-api';
const { MERIDIAN_API_KEYS, ...config } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, { ...commonVariables, ...readModelVariables }),
);
const logger = createLogger({ service, level: config.MERIDIAN_LOG_LEVEL ?? 'INFO', ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }) });
const documents = openDocumentStore(config, logger, resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir));
const server = await serve(createApp({ documents, findPrincipal: keyring(MERIDIAN_API_KEYS), logger }), { port: config.PORT ?? defaultPort, host: '0.0.0.0' });
logger.info('query API listening', { url: server.url });
closeOnSignals(logger, [
  { name: 'http', close: () => server.close() },
  { name: 'read models', close: documents.close },
]);
