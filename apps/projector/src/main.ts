// Composition root of the projector worker (cloud wiring): each projection reads its own subscription
// and writes its read models; the live map reads the telemetry subscription. MERIDIAN_PROJECTIONS names
// a subset (comma-separated, `live-map` included) so projections can be scaled and deployed apart.
import { serveHealth } from '@meridian/http';
import { archiveDeliveries, archiveTelemetryDeliveries, consumerOf, createConsumerStatus, platformProjections, runAnchoring, runLiveMap, runProjector } from '@meridian/projections';
import { closeOnSignals, commandLineOrExit, configOrExit, createLogger, decodeEnvironment, nonEmptyVariable, startOrExit, StartupFailure, supervise, variablesHelp } from '@meridian/runtime';
import { archiverConsumer, archiveVariables, busVariables, commonVariables, dataDirFor, eventStoreVariables, openArchive, openBus, openDocumentStore, openEventStore, readModelVariables, telemetryVariables, usesPubSub } from '@meridian/wiring';

const service = 'projector';
const variables = { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...busVariables, ...telemetryVariables, ...archiveVariables, MERIDIAN_PROJECTIONS: nonEmptyVariable };
commandLineOrExit(service, {
  command: 'node apps/projector/src/main.ts',
  synopsis: '',
  summary: 'The projector worker, as on Cloud Run: the projections, the live map and the archivers, each reading its\nown subscription. With PORT, answers health checks there.',
  options: {},
  notes: variablesHelp(variables),
});
const config = configOrExit(service, decodeEnvironment(process.env, {}, variables));
const known = [...platformProjections.map((p) => p.name), 'live-map', 'archive'];
const wanted = config.MERIDIAN_PROJECTIONS?.split(',').map((name) => name.trim()) ?? known;

await startOrExit(service, async () => {
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new StartupFailure(`MERIDIAN_PROJECTIONS names unknown projections: ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const selected = platformProjections.filter((projection) => wanted.includes(projection.name));
  const statuses = selected.map((projection) => createConsumerStatus(projection.name, { version: projection.version }));
  let started = false;
  // Cloud Run starts (and keeps) a service that answers on $PORT; the answer is where each projector stands.
  const health = config.PORT === undefined ? undefined : await serveHealth(config.PORT, () => (started ? { projectors: statuses.map((s) => s.snapshot()) } : undefined));
  const logger = createLogger({ service, level: config.MERIDIAN_LOG_LEVEL ?? 'INFO', ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }) });
  // The embedded bus reads the log directly; with Pub/Sub the log is not opened at all.
  const readsLog = !usesPubSub(config);
  const dataDir = dataDirFor(config, { eventStore: readsLog, readModels: true, archive: wanted.includes('archive') });
  const documents = openDocumentStore(config, logger, dataDir);
  const log = readsLog ? openEventStore(config, logger, dataDir) : undefined;
  const bus = await openBus(config, { ...(log && { log }), state: documents, logger });
  const archive = wanted.includes('archive') ? await openArchive(config, logger, dataDir) : undefined;
  const controller = new AbortController();
  const signal = controller.signal;
  /** Each consumer under supervision: one whose subscription fails is restarted, the others carry on. */
  const consumer = (name: string, run: () => Promise<unknown>) => supervise(name, run, { logger, signal });
  const running = [
    ...selected.map((projection, index) =>
      consumer(projection.name, () =>
        runProjector({ projection, subscription: bus.events(consumerOf(projection)), documents, logger: logger.child({ consumer: projection.name }), signal, status: statuses[index]! }),
      ),
    ),
    // The archive: every event and every ping, to BigQuery (or DuckDB), idempotently.
    ...(archive === undefined
      ? []
      : [
          consumer(archiverConsumer.name, () => bus.events(archiverConsumer)(archiveDeliveries({ archive, logger: logger.child({ consumer: archiverConsumer.name }) }), { signal, maxBatch: 2_000 })),
          consumer('telemetry-archiver', () => bus.telemetryArchive(archiveTelemetryDeliveries({ archive, logger: logger.child({ consumer: 'telemetry-archiver' }) }), { signal, maxBatch: 5_000 })),
        ]),
    // Tamper evidence: where the archiver reads the log itself (the embedded bus), it also anchors the log's head.
    ...(archive === undefined || log?.chainHead === undefined
      ? []
      : [
          consumer('log-anchors', () =>
            runAnchoring({ store: log, archive, logger: logger.child({ consumer: 'log-anchors' }), signal, ...(config.MERIDIAN_ANCHOR_INTERVAL_MS !== undefined && { intervalMs: config.MERIDIAN_ANCHOR_INTERVAL_MS }) }),
          ),
        ]),
    ...(wanted.includes('live-map')
      ? [
          consumer('live-map', () =>
            runLiveMap({ subscription: bus.telemetry, documents, logger: logger.child({ consumer: 'live-map' }), signal, ...(config.MERIDIAN_LIVE_MAP_INTERVAL_MS !== undefined && { intervalMs: config.MERIDIAN_LIVE_MAP_INTERVAL_MS }) }),
          ),
        ]
      : []),
  ];
  started = true;
  closeOnSignals(logger, [
    { name: 'health', close: async () => health?.close() },
    { name: 'projectors', close: async () => (controller.abort(), void (await Promise.allSettled(running))) },
    { name: 'bus', close: bus.close },
    { name: 'read models', close: documents.close },
    { name: 'archive', close: async () => archive?.close() },
    { name: 'event store', close: async () => log?.close() },
  ]);
});
