// Composition root of the reactions worker (cloud wiring): every reactor and process manager of the platform
// reads its own subscription and sends its commands to the event store, through the same command handling
// as the command API; the timers projection keeps the pending timers, and the timer runner fires them.
// Several instances may run: commands carry request ids derived from their causes, and timers are leased.
import { keyring, serveWorkerPort } from '@meridian/http';
import { createEmbeddedRouteOptimizer } from '@meridian/route-optimizer';
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
  blobVariables,
  busVariables,
  openBlobStore,
  commonVariables,
  geofenceConsumer,
  geofenceVariables,
  startupGeofenceRules,
  dataDirFor,
  dispatchActivities,
  eventStoreVariables,
  openBus,
  openDocumentStore,
  notificationVariables,
  openEventStore,
  platformEffectHandlers,
  platformReactionsWith,
  etaSettingsOf,
  etaVariables,
  reactionConsumers,
  readModelVariables,
  startConsumers,
  type RunningConsumers,
  observedOf,
  observeProcess,
  reportConsumers,
} from '@meridian/wiring';
import { documentDeadLetters } from '@meridian/kernel';
import { hostname } from 'node:os';

const service = 'reactions';
// Spans and metrics under this service's name; OTLP export when the OTEL_* variables ask for it.
installTelemetry({ service });
const variables = {
  ...commonVariables,
  ...eventStoreVariables,
  ...readModelVariables,
  ...busVariables,
  ...notificationVariables,
  ...blobVariables,
  ...etaVariables,
  ...geofenceVariables,
};
commandLineOrExit(service, {
  command: 'node apps/reactions/src/main.ts',
  synopsis: '',
  summary:
    'The reactions worker, as on Cloud Run: the reactors and process managers, each reading its own subscription\nand sending commands to the event store, the timers, and the geofence detector (pings from the telemetry\ntopic, presence facts to the event store). With PORT, answers health checks there, and GET /metrics for an\nadmin key of MERIDIAN_API_KEYS (required).',
  options: {},
  notes: variablesHelp(variables),
});
const { MERIDIAN_API_KEYS, ...config } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, variables),
);

await startOrExit(service, async () => {
  let consumers: RunningConsumers | undefined;
  const logger = createLogger({
    service,
    level: config.MERIDIAN_LOG_LEVEL ?? 'INFO',
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }),
  });
  // Cloud Run starts (and keeps) a service that answers on $PORT; the answer is where each consumer stands, and
  // /metrics their lag, dead letters and the timers (observeProcess below).
  const health =
    config.PORT === undefined
      ? undefined
      : await serveWorkerPort(config.PORT, {
          status: () => (consumers === undefined ? undefined : { consumers: consumers.snapshots() }),
          findPrincipal: keyring(MERIDIAN_API_KEYS),
          logger,
        });
  // It writes the log (its commands) whatever the bus; its checkpoints, timers and leases live with the read models.
  const dataDir = dataDirFor(config, { eventStore: true, readModels: true });
  const documents = openDocumentStore(config, logger, dataDir);
  const store = openEventStore(config, logger, dataDir);
  const bus = await openBus(config, { log: store, state: documents, logger });
  // The dispatch saga plans its routes with the embedded optimizer (the cloud one, adapters/google-route-optimization, is not run yet).
  const reactions = {
    ...platformReactionsWith({ eta: etaSettingsOf(config) }),
    activities: dispatchActivities(createEmbeddedRouteOptimizer()),
  };
  const world = { bus, documents, logger };
  const list = [
    ...reactionConsumers(world, {
      store,
      reactions,
      effectHandlers: platformEffectHandlers(config, { store, documents, blobs: openBlobStore(config, logger, dataDir) }),
    }),
    // The geofence detector writes the log like the reactions: its own subscription on the telemetry topic.
    geofenceConsumer(world, { store, rules: startupGeofenceRules(config) }),
  ];
  consumers = startConsumers(list, { logger });
  // Where its consumers stand, for the query API's operations page (it runs none itself: consumer-reports.ts).
  const stopReporting = reportConsumers({ documents, process: `${service}/${hostname()}`, snapshots: consumers.snapshots, logger });
  // Lag (embedded: the log's head), dead letters and the timers as gauges.
  observeProcess({
    consumers: () => observedOf(list),
    documents,
    reactions,
    ...(bus.kind === 'log' && { log: store, deadLetters: documentDeadLetters(documents) }),
  });
  const running = consumers;
  closeOnSignals(logger, [
    { name: 'health', close: async () => health?.close() },
    { name: 'consumers', close: running.stop },
    { name: 'bus', close: bus.close },
    { name: 'consumer reports', close: stopReporting },
    { name: 'read models', close: documents.close },
    { name: 'event store', close: store.close },
  ]);
});
