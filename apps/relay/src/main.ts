// Composition root of the relay: the log (EventStoreDB, or the embedded SQLite file it shares with the
// command API) → the Pub/Sub topic `logistics-events`. Its checkpoint lives with the read models' state.
import { createLogSubscription } from '@meridian/log-subscription';
import { closeOnSignals, configOrExit, createLogger, decodeEnvironment } from '@meridian/runtime';
import { allEventTypes, busVariables, commonVariables, defaultDataDir, eventStoreVariables, openBus, openDocumentStore, openEventStore, readModelVariables } from '@meridian/wiring';
import { resolve } from 'node:path';
import { relayBatch } from './relay.ts';

const service = 'relay';
const config = configOrExit(service, decodeEnvironment(process.env, {}, { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...busVariables }));
const logger = createLogger({ service, level: config.MERIDIAN_LOG_LEVEL ?? 'INFO', ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }) });
const dataDir = resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir);
const log = openEventStore(config, logger, dataDir);
const state = openDocumentStore(config, logger, dataDir);
const bus = await openBus(config, { log, state, logger });
if (bus.eventPublisher === undefined) {
  logger.error('the relay needs a bus to publish to: set PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub');
  process.exit(78);
}
const controller = new AbortController();
const subscription = createLogSubscription({ log, state, consumer: { name: 'relay', eventTypes: allEventTypes }, logger, maxDeliveryAttempts: Infinity });
const running = subscription(relayBatch({ publisher: bus.eventPublisher, logger }), { signal: controller.signal, maxBatch: 1000 });
logger.info('relay started');
closeOnSignals(logger, [
  { name: 'relay', close: async () => (controller.abort(), await running) },
  { name: 'bus', close: bus.close },
  { name: 'state', close: state.close },
  { name: 'event store', close: log.close },
]);
