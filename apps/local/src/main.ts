// `npm start`: the composition root of the all-in-one platform on embedded defaults. Data lives under
// MERIDIAN_DATA_DIR (./data); with no MERIDIAN_API_KEYS, development keys are made there and printed.
import { keyring, serve } from '@meridian/http';
import { closeOnSignals, configOrExit, createLogger, decodeEnvironment, nonEmptyVariable } from '@meridian/runtime';
import { createSqliteDocumentStore } from '@meridian/sqlite';
import { createSecrets, resealAfterRotation } from '@meridian/webhook-dispatcher';
import { archiveVariables, commonVariables, defaultDataDir, defaultPort, developmentKeys, eventStoreKind, eventStoreVariables, openArchive, openEventStore, telemetryVariables, webhookSettings, webhookVariables } from '@meridian/wiring';
import { join, resolve } from 'node:path';
import { startLocalPlatform } from './platform.ts';

const service = 'meridian-local';
const config = configOrExit(
  service,
  decodeEnvironment(process.env, {}, { ...commonVariables, ...eventStoreVariables, ...telemetryVariables, ...archiveVariables, ...webhookVariables, MERIDIAN_HOST: nonEmptyVariable }),
);
const dataDir = resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir);
const logger = createLogger({ service, level: config.MERIDIAN_LOG_LEVEL ?? 'INFO' });
const development = config.MERIDIAN_API_KEYS === undefined ? developmentKeys(dataDir) : undefined;
const keys = config.MERIDIAN_API_KEYS ?? development?.keys ?? [];
const store = openEventStore(config, logger, dataDir);
const documents = createSqliteDocumentStore({ path: join(dataDir, 'readmodels.db') });
// The archive (DuckDB, or BigQuery when BIGQUERY_DATASET is set): written by the archivers, read by the audit API.
const archive = await openArchive(config, logger, dataDir);
// Webhooks for local development: a sealing key made once under the data directory, receivers on this machine allowed.
const webhooks = webhookSettings(config, { development: true, dataDir });
const secrets = createSecrets(webhooks.secretKey, webhooks.previousSecretKeys);
const resealing = resealAfterRotation(documents, secrets, webhooks.previousSecretKeys.length, logger);
const platform = startLocalPlatform({
  store,
  documents,
  archive,
  webhooks: {
    secrets,
    policy: webhooks.policy,
    ...(webhooks.scheduleMs !== undefined && { schedule: webhooks.scheduleMs }),
    ...(webhooks.timeoutMs !== undefined && { timeoutMs: webhooks.timeoutMs }),
  },
  // The projectors get a thread and connections of their own (embedded log), so the API never waits for them.
  ...(eventStoreKind(config) === 'sqlite' && {
    projectorThread: { eventsPath: join(dataDir, 'events.db'), documentsPath: join(dataDir, 'readmodels.db'), logLevel: config.MERIDIAN_LOG_LEVEL ?? 'INFO' },
  }),
  findPrincipal: keyring(keys),
  logger,
  ...(config.MERIDIAN_LIVE_MAP_INTERVAL_MS !== undefined && { liveMapIntervalMs: config.MERIDIAN_LIVE_MAP_INTERVAL_MS }),
  ...(config.MERIDIAN_TELEMETRY_QUEUE_CAPACITY !== undefined && { telemetryCapacity: config.MERIDIAN_TELEMETRY_QUEUE_CAPACITY }),
});
const server = await serve(platform.app, {
  port: config.PORT ?? defaultPort,
  host: config.MERIDIAN_HOST ?? '127.0.0.1',
});

const banner = [
  '',
  `Meridian is running at ${server.url}  (data: ${dataDir})`,
  `  API description: ${server.url}/openapi.json    health: ${server.url}/healthz`,
  ...(config.MERIDIAN_API_KEYS === undefined
    ? [`  Development API keys (from ${development?.file}; set MERIDIAN_API_KEYS to use your own):`, ...keys.map((k) => `    ${k.roles.join(',').padEnd(10)} ${k.key}`)]
    : []),
  '',
];
process.stdout.write(`${banner.join('\n')}\n`);
closeOnSignals(logger, [
  { name: 'http', close: () => server.close() },
  { name: 'reseal', close: () => resealing },
  { name: 'consumers', close: platform.stop },
  { name: 'read models', close: documents.close },
  { name: 'archive', close: archive.close },
  { name: 'event store', close: store.close },
]);
