// Composition root of the query API as its own process: read models from Firestore (or the embedded
// SQLite file), live updates from Firestore listeners, and the audit API over the event store (read only)
// and the archive (BigQuery, or the embedded DuckDB file opened read-only).
import { bindPort, keyring } from '@meridian/http';
import type { EventArchive, Logger } from '@meridian/kernel';
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
  archiveVariables,
  commonVariables,
  consoleVariables,
  dataDirFor,
  defaultPort,
  eventStoreVariables,
  openArchive,
  openDocumentStore,
  openEventStore,
  mapTilesOf,
  readModelVariables,
  trackingKeyOf,
  billingVariables,
  blobVariables,
  openBlobStore,
  reportedConsumers,
  type ArchiveConfig,
} from '@meridian/wiring';
import { createApp } from './app.ts';
import { warmConsole } from './console.ts';

const service = 'query-api';
// Spans and metrics under this service's name; OTLP export when the OTEL_* variables ask for it.
installTelemetry({ service });
const variables = {
  ...commonVariables,
  ...readModelVariables,
  ...eventStoreVariables,
  ...archiveVariables,
  ...consoleVariables,
  ...billingVariables,
  ...blobVariables,
};
commandLineOrExit(service, {
  command: 'node apps/query-api/src/main.ts',
  synopsis: '',
  summary:
    'The query API alone, as on Cloud Run: the read models, live updates, the audit API, the console and tracking pages.\nMERIDIAN_API_KEYS is required; without MERIDIAN_TRACKING_KEY no tracking links are made.',
  options: {},
  notes: variablesHelp(variables),
});
const { MERIDIAN_API_KEYS, ...config } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, variables),
);

/**
 * The archive, or none: an embedded archive that is not written yet, or is held by its writer in another
 * process (DuckDB allows one), must not keep the read models from being served. Its routes answer 503.
 */
const archiveOrNone = async (archiveConfig: ArchiveConfig, log: Logger, dataDir: string): Promise<EventArchive | undefined> => {
  try {
    return await openArchive(archiveConfig, log, dataDir, { readOnly: true });
  } catch (error) {
    log.warn('audit API without the archive: its routes answer 503 until a restart', { error });
    return undefined;
  }
};

await startOrExit(service, async () => {
  const bound = await bindPort({ port: config.PORT ?? defaultPort, host: '0.0.0.0' });
  const logger = createLogger({
    service,
    level: config.MERIDIAN_LOG_LEVEL ?? 'INFO',
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }),
  });
  const dataDir = dataDirFor(config, { eventStore: true, readModels: true });
  const documents = openDocumentStore(config, logger, dataDir);
  const store = openEventStore(config, logger, dataDir);
  const archive = await archiveOrNone(config, logger, dataDir);
  const trackingKey = trackingKeyOf(config, { development: false });
  if (trackingKey === undefined) logger.warn('no MERIDIAN_TRACKING_KEY: tracking links are neither made nor opened (503)');
  warmConsole(logger);
  const server = bound.serve(
    createApp({
      documents,
      store,
      blobs: openBlobStore(config, logger, dataDir),
      web: { tiles: mapTilesOf(config) },
      // This process runs no consumer: the overview has the log's head, and the consumers as their services
      // report them (consumer-reports.ts); their dead letters are on Pub/Sub (the redrive tool).
      operations: { headPosition: () => store.headPosition(), consumers: () => reportedConsumers(documents) },
      ...(trackingKey !== undefined && { trackingKey }),
      ...(archive !== undefined && { archive }),
      ...(config.MERIDIAN_AUDIT_SQL_TIMEOUT_MS !== undefined && { auditSqlTimeoutMs: config.MERIDIAN_AUDIT_SQL_TIMEOUT_MS }),
      findPrincipal: keyring(MERIDIAN_API_KEYS),
      logger,
      ...(config.MERIDIAN_BILLING_TARIFFS !== undefined && { tariffs: config.MERIDIAN_BILLING_TARIFFS }),
    }),
  );
  logger.info('query API listening', { url: server.url });
  closeOnSignals(logger, [
    { name: 'http', close: () => server.close() },
    { name: 'read models', close: documents.close },
    { name: 'event store', close: store.close },
    ...(archive !== undefined ? [{ name: 'archive', close: archive.close }] : []),
  ]);
});
