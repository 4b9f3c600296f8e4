// Composition root of the webhook service as its own process (cloud wiring): the endpoints API on PORT,
// and the dispatcher reading the `webhook-dispatcher` subscription and sending signed deliveries.
import { bindPort, createHttpApp, keyring } from '@meridian/http';
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
  busVariables,
  commonVariables,
  dataDirFor,
  defaultPort,
  eventStoreVariables,
  openBus,
  openDocumentStore,
  openEventStore,
  readModelVariables,
  startConsumers,
  webhookSettings,
  webhookVariables,
  reportConsumers,
} from '@meridian/wiring';
import { webhookApiOpenApi } from './api/index.ts';
import { resealAfterRotation } from './operations/reseal.ts';
import { webhookService } from './service.ts';
import { createSecrets } from './transport/secrets.ts';
import { hostname } from 'node:os';

const service = 'webhook-dispatcher';
// Spans and metrics under this service's name; OTLP export when the OTEL_* variables ask for it.
installTelemetry({ service });
const variables = { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...busVariables, ...webhookVariables };
commandLineOrExit(service, {
  command: 'node apps/webhooks/src/main.ts',
  synopsis: '',
  summary:
    'The webhook service alone, as on Cloud Run: the endpoints API, and the dispatcher sending signed deliveries.\nMERIDIAN_API_KEYS and MERIDIAN_WEBHOOK_SECRET_KEY are required.',
  options: {},
  notes: variablesHelp(variables),
});
const { MERIDIAN_API_KEYS, ...config } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, variables),
);

await startOrExit(service, async () => {
  const settings = webhookSettings(config, { development: false });
  const bound = await bindPort({ port: config.PORT ?? defaultPort, host: '0.0.0.0' });
  const logger = createLogger({
    service,
    level: config.MERIDIAN_LOG_LEVEL ?? 'INFO',
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }),
  });
  const dataDir = dataDirFor(config, { eventStore: true, readModels: true });
  const documents = openDocumentStore(config, logger, dataDir);
  // The log is read for replays and backfills; deliveries come from the bus.
  const log = openEventStore(config, logger, dataDir);
  const bus = await openBus(config, { log, state: documents, logger });
  const findPrincipal = keyring(MERIDIAN_API_KEYS);
  const secrets = createSecrets(settings.secretKey, settings.previousSecretKeys);
  const resealing = resealAfterRotation(documents, secrets, settings.previousSecretKeys.length, logger);
  const webhooks = webhookService({
    bus,
    documents,
    log,
    secrets,
    policy: settings.policy,
    findPrincipal,
    logger,
    ...(settings.scheduleMs !== undefined && { schedule: settings.scheduleMs }),
    ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
  });
  const consumers = startConsumers(webhooks.consumers, { logger });
  // Where its consumers stand, for the query API's operations page (it runs none itself: consumer-reports.ts).
  const stopReporting = reportConsumers({ documents, process: `${service}/${hostname()}`, snapshots: consumers.snapshots, logger });
  const server = bound.serve(
    createHttpApp({
      logger,
      findPrincipal,
      health: () => ({ status: 'ok', consumers: consumers.snapshots() }),
      openapi: webhookApiOpenApi,
      routers: [webhooks.router],
    }),
  );
  logger.info('webhook service listening', { url: server.url, secretKey: settings.secretKeySource });
  closeOnSignals(logger, [
    { name: 'http', close: () => server.close() },
    { name: 'reseal', close: () => resealing },
    { name: 'dispatcher', close: consumers.stop },
    { name: 'bus', close: bus.close },
    { name: 'consumer reports', close: stopReporting },
    { name: 'read models', close: documents.close },
    { name: 'event store', close: log.close },
  ]);
});
