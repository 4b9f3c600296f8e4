// `npm start`: the composition root of the all-in-one platform on embedded defaults. Data lives under
// MERIDIAN_DATA_DIR (./data); with no MERIDIAN_API_KEYS, development keys are made there and printed.
//
// Start-up goes from what touches nothing to what writes: the command line, the configuration, the port,
// the data directory, then the stores. Whatever fails is said in one line (exit 78 for configuration), and
// a failure before the data directory leaves nothing made.
import { bindPort, keyring } from '@meridian/http';
import {
  closeOnSignals,
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  emptyMeansUnset,
  nonEmptyVariable,
  startOrExit,
  StartupFailure,
  variablesHelp,
  installTelemetry,
} from '@meridian/runtime';
import { createSqliteDocumentStore } from '@meridian/sqlite';
import { createSecrets, resealAfterRotation } from '@meridian/webhook-service';
import {
  archiveVariables,
  commonVariables,
  consoleVariables,
  dataDirFor,
  defaultPort,
  developmentKeys,
  DuckDbArchiveLocked,
  eventStoreKind,
  eventStoreVariables,
  openArchive,
  openEventStore,
  telemetryVariables,
  geofenceVariables,
  startupGeofenceRules,
  mapTilesOf,
  trackingKeyOf,
  webhookSettings,
  webhookVariables,
  billingVariables,
  openBlobStore,
} from '@meridian/wiring';
import { warmConsole } from '@meridian/query-api';
import { join } from 'node:path';
import { embeddedReactions, reactionVariables } from './embedded-reactions.ts';
import { startLocalPlatform } from './platform.ts';

const service = 'meridian-local';
// Spans and metrics under this service's name; OTLP export when the OTEL_* variables ask for it.
installTelemetry({ service });
const variables = {
  ...commonVariables,
  ...eventStoreVariables,
  ...telemetryVariables,
  ...geofenceVariables,
  ...archiveVariables,
  ...webhookVariables,
  ...consoleVariables,
  ...reactionVariables,
  ...billingVariables,
  MERIDIAN_HOST: emptyMeansUnset(nonEmptyVariable),
};
commandLineOrExit(service, {
  command: 'npm start',
  synopsis: '',
  summary:
    'Runs the whole platform in one process on embedded defaults, on one port: the command and query APIs,\nthe ' +
    'projectors, the archive, telemetry and webhooks. Data lives in MERIDIAN_DATA_DIR (./data).',
  options: {},
  notes: variablesHelp(variables),
});
const config = configOrExit(service, decodeEnvironment(process.env, {}, variables));

/** Another process holds the archive: most likely another platform on the same data. */
const inUse = (dataDir: string) => (error: unknown) => {
  if (!(error instanceof DuckDbArchiveLocked)) throw error;
  throw new StartupFailure(
    `the data directory ${dataDir} (MERIDIAN_DATA_DIR) is in use: another process has its archive open (another ` +
      'npm start, or an audit command); stop it, or set MERIDIAN_DATA_DIR to another directory',
    { cause: error },
  );
};

await startOrExit(service, async () => {
  // The port first: one in use stops the start before any data is made.
  const bound = await bindPort({
    port: config.PORT ?? defaultPort,
    host: config.MERIDIAN_HOST ?? '127.0.0.1',
    hostVariable: 'MERIDIAN_HOST',
  });
  const dataDir = dataDirFor(config, { eventStore: true, readModels: true, archive: true });
  const logger = createLogger({ service, level: config.MERIDIAN_LOG_LEVEL ?? 'INFO' });
  const development = config.MERIDIAN_API_KEYS === undefined ? developmentKeys(dataDir) : undefined;
  const keys = config.MERIDIAN_API_KEYS ?? development?.keys ?? [];
  // The archive (DuckDB, or BigQuery when BIGQUERY_DATASET is set) before the other stores: DuckDB's lock
  // tells of another platform on the same data before anything else is opened.
  const archive = await openArchive(config, logger, dataDir).catch(inUse(dataDir));
  const store = openEventStore(config, logger, dataDir);
  const documents = createSqliteDocumentStore({ path: join(dataDir, 'readmodels.db') });
  // Webhooks for local development: a sealing key made once under the data directory, receivers on this machine allowed.
  const webhooks = webhookSettings(config, { development: true, dataDir });
  const secrets = createSecrets(webhooks.secretKey, webhooks.previousSecretKeys);
  const resealing = resealAfterRotation(documents, secrets, webhooks.previousSecretKeys.length, logger);
  warmConsole(logger);
  // Embedded, proof images are files under the data dir (a bucket is the cloud wiring's).
  const blobs = openBlobStore({}, logger, dataDir);
  const thread = {
    eventsPath: join(dataDir, 'events.db'),
    documentsPath: join(dataDir, 'readmodels.db'),
    dataDir,
    logLevel: config.MERIDIAN_LOG_LEVEL ?? 'INFO',
    announce: documents.announce,
  };
  const platform = startLocalPlatform({
    store,
    documents,
    blobs,
    archive,
    web: { tiles: mapTilesOf(config) },
    trackingKey: trackingKeyOf(config, { development: true, dataDir }),
    webhooks: {
      secrets,
      policy: webhooks.policy,
      ...(webhooks.scheduleMs !== undefined && { schedule: webhooks.scheduleMs }),
      ...(webhooks.timeoutMs !== undefined && { timeoutMs: webhooks.timeoutMs }),
    },
    // The projectors and the reactions get a thread and connections of their own each (embedded log), so the
    // API never waits for them.
    ...(eventStoreKind(config) === 'sqlite' && { projectorThread: thread, reactionThread: thread }),
    findPrincipal: keyring(keys),
    logger,
    ...embeddedReactions(config, { store, documents, blobs }),
    ...(config.MERIDIAN_BILLING_TARIFFS !== undefined && { tariffs: config.MERIDIAN_BILLING_TARIFFS }),
    ...(config.MERIDIAN_LIVE_MAP_INTERVAL_MS !== undefined && { liveMapIntervalMs: config.MERIDIAN_LIVE_MAP_INTERVAL_MS }),
    geofence: { rules: startupGeofenceRules(config) },
    ...(config.MERIDIAN_TELEMETRY_QUEUE_CAPACITY !== undefined && { telemetryCapacity: config.MERIDIAN_TELEMETRY_QUEUE_CAPACITY }),
    ...(config.MERIDIAN_AUDIT_SQL_TIMEOUT_MS !== undefined && { auditSqlTimeoutMs: config.MERIDIAN_AUDIT_SQL_TIMEOUT_MS }),
    ...(config.MERIDIAN_ANCHOR_INTERVAL_MS !== undefined && { anchorIntervalMs: config.MERIDIAN_ANCHOR_INTERVAL_MS }),
  });
  // Served once the consumer threads run: a command accepted before would wait seconds for its reactions.
  await platform.ready;
  const server = bound.serve(platform.app);

  const banner = [
    '',
    `Meridian is running at ${server.url}  (data: ${dataDir})`,
    `  Console: ${server.url}/    API description: ${server.url}/openapi.json    health: ${server.url}/healthz`,
    ...(development !== undefined
      ? [
          `  Development API keys (from ${development.file}; set MERIDIAN_API_KEYS to use your own):`,
          ...keys.map((k) => `    ${k.roles.join(',').padEnd(10)} ${k.key}`),
        ]
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
});
