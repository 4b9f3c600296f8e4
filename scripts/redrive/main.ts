// `npm run redrive -- <consumer> [--list]`: after a fix, deliver a consumer's dead letters again.
// Cloud wiring (PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub): republishes them from the consumer's
// dead-letter subscription to the topic. Embedded: hands them to the projection (or the reactor, the process
// manager) again, through the same runtime (idempotent, per-stream ordered), and removes those that now apply.
import { consumerOf, platformProjections } from '@meridian/projections';
import {
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  exitWithUsage,
  startOrExit,
  type CommandLineSpec,
  type OptionSpecs,
} from '@meridian/runtime';
import {
  blobVariables,
  busVariables,
  commonVariables,
  dataDirFor,
  embeddedDeadLetterDesk,
  eventStoreVariables,
  openBlobStore,
  openBus,
  openDocumentStore,
  notificationVariables,
  openEventStore,
  platformEffectHandlers,
  platformReactions,
  reactionProjections,
  reactionStreamConsumers,
  reactionSubscriptions,
  readModelVariables,
  usesPubSub,
} from '@meridian/wiring';

const projections = [...platformProjections, ...reactionProjections];
const reactions = reactionSubscriptions(platformReactions).map((subscription) => subscription.name);
const consumers = [...projections.map((p) => consumerOf(p).name), ...reactions];
const commandLine = {
  command: 'npm run redrive --',
  synopsis: '<consumer> [--list]',
  summary: `After a fix, delivers a consumer's dead letters again. On Pub/Sub (PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub)
they are republished from the consumer's dead-letter subscription; embedded, they are handed to the projection
(or the reactor, the process manager) again (idempotent, in order per stream) and those that now apply are removed.`,
  positionals: { name: '<consumer>', description: `${consumers.join(', ')} (and, on Pub/Sub, any subscription name)`, min: 1, max: 1 },
  options: { list: { type: 'boolean', description: 'show the dead letters and their reasons, change nothing' } },
} as const satisfies CommandLineSpec<OptionSpecs>;

const { values, positionals } = commandLineOrExit('redrive', commandLine);
const consumer = positionals[0]!;
const config = configOrExit(
  'redrive',
  decodeEnvironment(
    process.env,
    {},
    { ...commonVariables, ...eventStoreVariables, ...readModelVariables, ...busVariables, ...notificationVariables, ...blobVariables },
  ),
);
const logger = createLogger({ service: 'redrive', level: config.MERIDIAN_LOG_LEVEL ?? 'WARNING' });
const say = (line: string) => process.stdout.write(`${line}\n`);

if (usesPubSub(config)) {
  const bus = await openBus(config, { logger });
  try {
    if (values.list === true)
      for (const letter of (await bus.deadLetters?.(consumer)) ?? [])
        say(
          `${letter.attributes['eventType'] ?? '?'} ${letter.attributes['streamId'] ?? ''} attempt ${letter.note?.attempt ?? '?'}: ${letter.note?.reason ?? 'no reason recorded'}`,
        );
    else {
      const result = await bus.redrive!(consumer);
      say(`redriven ${result.redriven}, failed ${result.failed} (failed ones stay for the next run)`);
    }
  } finally {
    await bus.close();
  }
} else {
  const projection = projections.find((p) => consumerOf(p).name === consumer);
  if (projection === undefined && !reactions.includes(consumer))
    exitWithUsage('redrive', commandLine, `unknown consumer ${consumer}; embedded consumers: ${consumers.join(', ')}`);
  const dataDir = await startOrExit('redrive', () => dataDirFor(config, { readModels: true, eventStore: projection === undefined }));
  const documents = openDocumentStore(config, logger, dataDir);
  // A reaction sends commands: it needs the event store too (through the same command handling as the API).
  const store = projection === undefined ? openEventStore(config, logger, dataDir) : undefined;
  // The same desk as the operations API: letters redriven into the projection's live generation, or to the reaction.
  const desk = embeddedDeadLetterDesk({
    documents,
    logger,
    projections,
    ...(store !== undefined && {
      reactions: reactionStreamConsumers(
        {
          store,
          reactions: platformReactions,
          effectHandlers: platformEffectHandlers(config, { store, documents, blobs: openBlobStore(config, logger, dataDir) }),
        },
        logger,
        documents,
      ),
    }),
  });
  try {
    if (values.list === true) {
      for (const letter of await desk.list(consumer))
        say(`${JSON.stringify(letter.eventType)} attempts ${letter.attempts}: ${letter.reason}`);
    } else {
      const result = await desk.redrive(consumer);
      say(`redriven ${result.redriven}, still failing ${result.remaining}`);
    }
  } finally {
    await documents.close();
    await store?.close();
  }
}
