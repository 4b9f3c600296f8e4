// Composition root of the webhook service as its own process (cloud wiring): the endpoints API on PORT,
// and the dispatcher reading the `webhook-dispatcher` subscription and sending signed deliveries.
import { keyring, serve } from '@meridian/http';
import { closeOnSignals, configOrExit, createLogger, decodeEnvironment, supervise } from '@meridian/runtime';
import {
  busVariables,
  commonVariables,
  defaultDataDir,
  defaultPort,
  eventStoreVariables,
  openBus,
  openDocumentStore,
  openEventStore,
  readModelVariables,
  webhookConsumer,
  webhookSettings,
  webhookVariables,
} from '@meridian/wiring';
import { resolve } from 'node:path';
import { createWebhookApiApp } from './api/index.ts';
import { checkDestination } from './destinations.ts';
import { runDispatcher } from './dispatcher.ts';
import { createDoorbell } from './doorbell.ts';
import { createDispatcherOperations } from './operations.ts';
import { resealAfterRotation } from './reseal.ts';
import { createSecrets } from './secrets.ts';

const service = 'webhook-dispatcher';
const { MERIDIAN_API_KEYS, ...config } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...busVariables, ...webhookVariables }),
);
const logger = createLogger({ service, level: config.MERIDIAN_LOG_LEVEL ?? 'INFO', ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }) });
const dataDir = resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir);
const settings = (() => {
  try {
    return webhookSettings(config, { development: false });
  } catch (error) {
    process.stderr.write(`${service}: ${(error as Error).message}\n`);
    process.exit(78);
  }
})();
const documents = openDocumentStore(config, logger, dataDir);
// The log is read for replays and backfills; deliveries come from the bus.
const log = openEventStore(config, logger, dataDir);
const bus = await openBus(config, { log, state: documents, logger });
const secrets = createSecrets(settings.secretKey, settings.previousSecretKeys);
const resealing = resealAfterRotation(documents, secrets, settings.previousSecretKeys.length, logger);
const doorbell = createDoorbell();
const controller = new AbortController();
const running = supervise(
  webhookConsumer.name,
  () =>
    runDispatcher({
      subscription: bus.events(webhookConsumer),
      documents,
      secrets,
      policy: settings.policy,
      logger,
      signal: controller.signal,
      doorbell,
      checkDestination,
      ...(settings.scheduleMs !== undefined && { schedule: settings.scheduleMs }),
      ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
    }),
  { logger, signal: controller.signal },
);
const operations = createDispatcherOperations({ documents, log, secrets, policy: settings.policy, logger, doorbell });
const app = createWebhookApiApp({ documents, findPrincipal: keyring(MERIDIAN_API_KEYS), logger, secrets, checkDestination, policy: settings.policy, operations });
const server = await serve(app, { port: config.PORT ?? defaultPort, host: '0.0.0.0' });
logger.info('webhook service listening', { url: server.url, secretKey: settings.secretKeySource });
closeOnSignals(logger, [
  { name: 'http', close: () => server.close() },
  { name: 'reseal', close: () => resealing },
  { name: 'dispatcher', close: async () => (controller.abort(), await running) },
  { name: 'bus', close: bus.close },
  { name: 'read models', close: documents.close },
  { name: 'event store', close: log.close },
]);
