// Composition root of the relay: the log (Cloud Spanner, EventStoreDB, or the embedded SQLite file it
// shares with the command API) → the Pub/Sub topic `logistics-events`. Its checkpoint lives with the read
// models' state. On Spanner it also runs the log's sealer (the global hash chain, adapters/spanner): one
// relay runs, and it reads the log in commit order anyway. Its port answers health checks and, for an admin
// key, /metrics: how far behind the log's head it is.
import { documentCheckpointer, documentDeadLetters } from '@meridian/kernel';
import { keyring, serveWorkerPort } from '@meridian/http';
import { createLogSubscription } from '@meridian/embedded';
import { createConsumerStatus } from '@meridian/projections';
import {
  closeOnSignals,
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  startOrExit,
  StartupFailure,
  supervise,
  variablesHelp,
  installTelemetry,
} from '@meridian/runtime';
import {
  allEventTypes,
  busVariables,
  commonVariables,
  dataDirFor,
  eventStoreVariables,
  observeConsumers,
  openBus,
  openDocumentStore,
  openEventStore,
  readModelVariables,
  runLogSealer,
  usesPubSub,
} from '@meridian/wiring';
import { relayBatch } from './relay.ts';

const service = 'relay';
// Spans and metrics under this service's name; OTLP export when the OTEL_* variables ask for it.
installTelemetry({ service });
const variables = { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...busVariables };
commandLineOrExit(service, {
  command: 'node apps/relay/src/main.ts',
  synopsis: '',
  summary:
    'The relay, as on Cloud Run: every event of the log, in order, to the Pub/Sub topic logistics-events.\nNeeds ' +
    'a Pub/Sub bus (PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub); with PORT, answers health checks there, and\n' +
    'GET /metrics for an admin key of MERIDIAN_API_KEYS (required).',
  options: {},
  notes: variablesHelp(variables),
});
const { MERIDIAN_API_KEYS, ...config } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, variables),
);

await startOrExit(service, async () => {
  if (!usesPubSub(config)) throw new StartupFailure('the relay needs a bus to publish to: set PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub');
  let started = false;
  let relayed = { through: 0, events: 0, at: '' };
  const logger = createLogger({
    service,
    level: config.MERIDIAN_LOG_LEVEL ?? 'INFO',
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }),
  });
  // Cloud Run starts (and keeps) a service that answers on $PORT; the answer says how far the relay got.
  const health =
    config.PORT === undefined
      ? undefined
      : await serveWorkerPort(config.PORT, {
          status: () => (started ? { relayed } : undefined),
          findPrincipal: keyring(MERIDIAN_API_KEYS),
          logger,
        });
  const dataDir = dataDirFor(config, { eventStore: true, readModels: true });
  const log = openEventStore(config, logger, dataDir);
  const state = openDocumentStore(config, logger, dataDir);
  const bus = await openBus(config, { log, state, logger });
  const publisher = bus.eventPublisher;
  if (publisher === undefined) throw new Error('a Pub/Sub bus without an event publisher');
  const controller = new AbortController();
  // Where the relay stands in the log, as every consumer reports it: its lag is the gauges' (head − checkpoint).
  const status = createConsumerStatus('relay');
  const subscription = createLogSubscription({
    log,
    checkpoints: documentCheckpointer(state),
    deadLetters: documentDeadLetters(state),
    consumer: { name: 'relay', eventTypes: allEventTypes },
    logger,
    maxDeliveryAttempts: Infinity,
    onCheckpoint: status.recordCheckpoint,
  });
  const running = supervise(
    'relay',
    () =>
      subscription(
        relayBatch({
          publisher,
          logger,
          onPublished: (events) => (
            status.recordApplied(events),
            (relayed = {
              through: events[events.length - 1]?.globalPosition ?? relayed.through,
              events: relayed.events + events.length,
              at: new Date().toISOString(),
            })
          ),
        }),
        { signal: controller.signal, maxBatch: 1000 },
      ),
    { logger, signal: controller.signal },
  );
  // Its lag as gauges on /metrics (it retries an event until it is published: it holds no dead letters).
  const unobserve = observeConsumers({ consumers: () => [{ name: 'relay', snapshot: status.snapshot() }], log });
  // Where the store needs one (Spanner's global hash chain), the relay also runs the log's sealer.
  const sealing = runLogSealer(config, { logger, signal: controller.signal });
  started = true;
  logger.info('relay started', { health: health?.port });
  closeOnSignals(logger, [
    { name: 'health', close: async () => (unobserve(), await health?.close()) },
    { name: 'relay', close: async () => (controller.abort(), await running, await sealing) },
    { name: 'bus', close: bus.close },
    { name: 'state', close: state.close },
    { name: 'event store', close: log.close },
  ]);
});
