// Composition root of the projector worker (cloud wiring): each projection reads its own subscription
// and writes its read models; the live map and the driver scores' distance slots read telemetry
// subscriptions. MERIDIAN_PROJECTIONS names a subset (comma-separated, `live-map` and `distance-slots`
// included) so projections can be scaled and deployed apart.
import { keyring, serveWorkerPort } from '@meridian/http';
import { platformProjections } from '@meridian/projections';
import {
  closeOnSignals,
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  nonEmptyVariable,
  startOrExit,
  StartupFailure,
  variablesHelp,
  installTelemetry,
} from '@meridian/runtime';
import {
  archiveConsumers,
  archiveVariables,
  busVariables,
  chainsLog,
  commonVariables,
  dataDirFor,
  distanceSlotsConsumer,
  eventStoreVariables,
  liveMapConsumer,
  openArchive,
  openBus,
  openDocumentStore,
  openEventStore,
  projectorConsumers,
  readModelVariables,
  startConsumers,
  telemetryVariables,
  usesPubSub,
  type RunningConsumers,
  observedOf,
  observeProcess,
  reportConsumers,
} from '@meridian/wiring';
import { documentDeadLetters } from '@meridian/kernel';
import { hostname } from 'node:os';

const service = 'projector';
// Spans and metrics under this service's name; OTLP export when the OTEL_* variables ask for it.
installTelemetry({ service });
const variables = {
  ...commonVariables,
  ...eventStoreVariables,
  ...readModelVariables,
  ...busVariables,
  ...telemetryVariables,
  ...archiveVariables,
  MERIDIAN_PROJECTIONS: nonEmptyVariable,
};
commandLineOrExit(service, {
  command: 'node apps/projector/src/main.ts',
  synopsis: '',
  summary:
    'The projector worker, as on Cloud Run: the projections, the live map, the distance slots and the archivers,\neach reading its own subscription. With PORT, answers health checks there, and GET /metrics for an\nadmin key of MERIDIAN_API_KEYS (required).',
  options: {},
  notes: variablesHelp(variables),
});
const { MERIDIAN_API_KEYS, ...config } = configOrExit(
  service,
  decodeEnvironment(process.env, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, variables),
);
const known = [...platformProjections.map((p) => p.name), 'live-map', 'distance-slots', 'archive'];
const wanted = config.MERIDIAN_PROJECTIONS?.split(',').map((name) => name.trim()) ?? known;

await startOrExit(service, async () => {
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new StartupFailure(`MERIDIAN_PROJECTIONS names unknown projections: ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const selected = platformProjections.filter((projection) => wanted.includes(projection.name));
  let consumers: RunningConsumers | undefined;
  const logger = createLogger({
    service,
    level: config.MERIDIAN_LOG_LEVEL ?? 'INFO',
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }),
  });
  // Cloud Run starts (and keeps) a service that answers on $PORT; the answer is where each projector stands, and
  // /metrics their lag and dead letters (observeProcess below).
  const health =
    config.PORT === undefined
      ? undefined
      : await serveWorkerPort(config.PORT, {
          status: () => (consumers === undefined ? undefined : { projectors: consumers.snapshots() }),
          findPrincipal: keyring(MERIDIAN_API_KEYS),
          logger,
        });
  // The embedded bus reads the log directly. With Pub/Sub the log is opened only to read its head: the
  // process that writes the archive anchors the head there (the projector running `archive`; anchors are
  // idempotent by position, so more than one instance is harmless). EventStoreDB has no chain to anchor.
  const readsLog = !usesPubSub(config);
  const anchorsLog = wanted.includes('archive') && chainsLog(config);
  const dataDir = dataDirFor(config, { eventStore: readsLog || anchorsLog, readModels: true, archive: wanted.includes('archive') });
  const documents = openDocumentStore(config, logger, dataDir);
  const log = readsLog || anchorsLog ? openEventStore(config, logger, dataDir) : undefined;
  const busLog = readsLog ? log : undefined;
  const bus = await openBus(config, { ...(busLog && { log: busLog }), state: documents, logger });
  const archive = wanted.includes('archive') ? await openArchive(config, logger, dataDir) : undefined;
  const world = { bus, documents, logger };
  const list = [
    ...projectorConsumers(world, selected),
    // The archive: every event and every ping, idempotently, and the log's head anchored in it.
    ...(archive === undefined
      ? []
      : archiveConsumers(world, {
          archive,
          ...(log && { log }),
          ...(config.MERIDIAN_ANCHOR_INTERVAL_MS !== undefined && { anchorIntervalMs: config.MERIDIAN_ANCHOR_INTERVAL_MS }),
        })),
    ...(wanted.includes('live-map')
      ? [
          liveMapConsumer(world, {
            ...(config.MERIDIAN_LIVE_MAP_INTERVAL_MS !== undefined && { intervalMs: config.MERIDIAN_LIVE_MAP_INTERVAL_MS }),
          }),
        ]
      : []),
    // The driver scores' distance: each van's earliest ping per 30-second slot (docs/driver-scores.md).
    ...(wanted.includes('distance-slots') ? [distanceSlotsConsumer(world)] : []),
  ];
  consumers = startConsumers(list, { logger });
  // Where its consumers stand, for the query API's operations page (it runs none itself: consumer-reports.ts).
  const stopReporting = reportConsumers({ documents, process: `${service}/${hostname()}`, snapshots: consumers.snapshots, logger });
  // Lag and dead letters as gauges (embedded, where this process reads the log and keeps the dead letters).
  observeProcess({ consumers: () => observedOf(list), ...(busLog && { log: busLog, deadLetters: documentDeadLetters(documents) }) });
  const running = consumers;
  closeOnSignals(logger, [
    { name: 'health', close: async () => health?.close() },
    { name: 'consumers', close: running.stop },
    { name: 'bus', close: bus.close },
    { name: 'consumer reports', close: stopReporting },
    { name: 'read models', close: documents.close },
    { name: 'archive', close: async () => archive?.close() },
    { name: 'event store', close: async () => log?.close() },
  ]);
});
