// Composition root of the reactions worker (cloud wiring): every reactor and process manager of the platform
// reads its own subscription and sends its commands to the event store, through the same command handling
// as the command API; the timers projection keeps the pending timers, and the timer runner fires them.
// Several instances may run: commands carry request ids derived from their causes, and timers are leased.
import { serveHealth } from '@meridian/http';
import {
  closeOnSignals,
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  startOrExit,
  variablesHelp,
} from '@meridian/runtime';
import {
  busVariables,
  commonVariables,
  dataDirFor,
  eventStoreVariables,
  openBus,
  openDocumentStore,
  notificationVariables,
  openEventStore,
  platformEffectHandlers,
  platformReactions,
  reactionConsumers,
  readModelVariables,
  startConsumers,
  type RunningConsumers,
} from '@meridian/wiring';

const service = 'reactions';
const variables = { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...busVariables, ...notificationVariables };
commandLineOrExit(service, {
  command: 'node apps/reactions/src/main.ts',
  synopsis: '',
  summary:
    'The reactions worker, as on Cloud Run: the reactors and process managers, each reading its own subscription\nand sending commands to the event store, and the timers. With PORT, answers health checks there.',
  options: {},
  notes: variablesHelp(variables),
});
const config = configOrExit(service, decodeEnvironment(process.env, {}, variables));

await startOrExit(service, async () => {
  let consumers: RunningConsumers | undefined;
  const health =
    config.PORT === undefined
      ? undefined
      : await serveHealth(config.PORT, () => (consumers === undefined ? undefined : { consumers: consumers.snapshots() }));
  const logger = createLogger({
    service,
    level: config.MERIDIAN_LOG_LEVEL ?? 'INFO',
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { project: config.GOOGLE_CLOUD_PROJECT }),
  });
  // It writes the log (its commands) whatever the bus; its checkpoints, timers and leases live with the read models.
  const dataDir = dataDirFor(config, { eventStore: true, readModels: true });
  const documents = openDocumentStore(config, logger, dataDir);
  const store = openEventStore(config, logger, dataDir);
  const bus = await openBus(config, { log: store, state: documents, logger });
  consumers = startConsumers(
    reactionConsumers(
      { bus, documents, logger },
      { store, reactions: platformReactions, effectHandlers: platformEffectHandlers(config, { store, documents }) },
    ),
    { logger },
  );
  const running = consumers;
  closeOnSignals(logger, [
    { name: 'health', close: async () => health?.close() },
    { name: 'consumers', close: running.stop },
    { name: 'bus', close: bus.close },
    { name: 'read models', close: documents.close },
    { name: 'event store', close: store.close },
  ]);
});
