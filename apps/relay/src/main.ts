// Composition root of the relay: the log (Cloud Spanner, EventStoreDB, or the embedded SQLite file it
// shares with the command API) → the Pub/Sub topic `logistics-events`. Its checkpoint lives with the read
// models' state. On Spanner it also runs the log's sealer (the global hash chain, adapters/spanner): one
// relay runs, and it reads the log in commit order anyway.
import { serveHealth } from '@meridian/http';
import { createLogSubscription } from '@meridian/log-subscription';
import { closeOnSignals, configOrExit, createLogger, decodeEnvironment, supervise } from '@meridian/runtime';
import { allEventTypes, busVariables, commonVariables, defaultDataDir, eventStoreVariables, openBus, openDocumentStore, openEventStore, readModelVariables, runLogSealer } from '@meridian/wiring';
import { resolve } from 'node:path';
import { relayBatch } from './relay.ts';

const service = 'relay';
const config = configOrExit(service, decodeEnvironment(process.env, {}, { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...busVariables }));
const logger = createLogger({ service, level: config.MERIDIAN_LOG_LEVEL ?? 'INFO', ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }) });
const dataDir = resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir);
const log = openEventStore(config, logger, dataDir);
const state = openDocumentStore(config, logger, dataDir);
const bus = await openBus(config, { log, state, logger });
const publisher = bus.eventPublisher;
if (publisher === undefined) {
  logger.error('the relay needs a bus to publish to: set PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub');
  process.exit(78);
}
const controller = new AbortController();
const subscription = createLogSubscription({ log, state, consumer: { name: 'relay', eventTypes: allEventTypes }, logger, maxDeliveryAttempts: Infinity });
let relayed = { through: 0, events: 0, at: '' };
const running = supervise('relay', () => subscription(
  relayBatch({
    publisher,
    logger,
    onPublished: (events) => (relayed = { through: events[events.length - 1]?.globalPosition ?? relayed.through, events: relayed.events + events.length, at: new Date().toISOString() }),
  }),
  { signal: controller.signal, maxBatch: 1000 },
), { logger, signal: controller.signal });
const sealing = runLogSealer(config, { logger, signal: controller.signal });
// Cloud Run starts (and keeps) a service that answers on $PORT; the answer says how far the relay got.
const health = config.PORT === undefined ? undefined : await serveHealth(config.PORT, () => ({ relayed }));
logger.info('relay started', { health: health?.port });
closeOnSignals(logger, [
  { name: 'health', close: async () => health?.close() },
  { name: 'relay', close: async () => (controller.abort(), await running, await sealing) },
  { name: 'bus', close: bus.close },
  { name: 'state', close: state.close },
  { name: 'event store', close: log.close },
]);
