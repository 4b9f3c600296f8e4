// Starting the platform's consumers, the same way in both wirings: each one a name, a loop that runs until
// the stop signal (a subscription's), and where it stands; started under supervision (a consumer that fails
// is restarted with a growing pause, the others carry on), stopped together. The bus decides the wiring:
// catch-up subscriptions over the log embedded, Pub/Sub subscriptions in the cloud.
import type {
  AggregateRegistry,
  BatchHandler,
  DomainEvent,
  ConsumerDefinition,
  DocumentStore,
  EventArchive,
  EventStore,
  Logger,
  Projection,
  RecordedEvent,
  StateCache,
} from '@meridian/kernel';
import {
  archiveDeliveries,
  archiveTelemetryDeliveries,
  consumerOf,
  createConsumerStatus,
  effectConsumer,
  effectSubscription,
  processRuntime,
  processConsumer,
  processSubscription,
  reactorConsumer,
  reactorSubscription,
  runTimers,
  streamDeliveries,
  type EffectHandler,
  type StreamConsumer,
  type StreamDeliveryDeps,
  runAnchoring,
  runDistanceSlots,
  runEtaTelemetry,
  runLiveMap,
  runProjector,
  withHandlingSpans,
  withStatus,
  type ConsumerSnapshot,
  type ConsumerStatus,
} from '@meridian/projections';
import { supervise } from '@meridian/runtime';
import type { Bus } from './bus.ts';
import { platformAggregates, timersProjectionOf, type ReactionSet } from './reactions.ts';
import { vehicleRouteOf } from './eta.ts';
import {
  archiverConsumer,
  distanceSlotsSubscription,
  etaTelemetrySubscription,
  liveMapSubscription,
  telemetryArchiverSubscription,
} from './topology.ts';

/** A consumer the platform runs: its loop until the signal aborts, and (for those that report it) its status. */
export type RunnableConsumer = {
  readonly name: string;
  readonly run: (signal: AbortSignal) => Promise<unknown>;
  readonly status?: ConsumerStatus;
};

export type RunningConsumers = {
  readonly snapshots: () => readonly ConsumerSnapshot[];
  /** Stops every consumer and waits for each to finish its batch in flight. */
  readonly stop: () => Promise<void>;
};

export const startConsumers = (consumers: readonly RunnableConsumer[], { logger }: { readonly logger: Logger }): RunningConsumers => {
  const controller = new AbortController();
  const running = consumers.map((consumer) =>
    supervise(consumer.name, () => consumer.run(controller.signal), { logger, signal: controller.signal }),
  );
  return {
    snapshots: () => consumers.flatMap((consumer) => (consumer.status === undefined ? [] : [consumer.status.snapshot()])),
    stop: async () => {
      controller.abort();
      await Promise.allSettled(running);
    },
  };
};

export type ConsumerWorld = {
  readonly bus: Pick<Bus, 'events' | 'telemetry' | 'telemetryArchive' | 'geofenceTelemetry' | 'distanceTelemetry' | 'holdGapsMs'>;
  readonly documents: DocumentStore;
  readonly logger: Logger;
};

/** One consumer per projection, each reading its own subscription and writing its read models. */
export const projectorConsumers = (
  { bus, documents, logger }: Pick<ConsumerWorld, 'documents' | 'logger'> & { readonly bus: Pick<Bus, 'events' | 'holdGapsMs'> },
  projections: readonly Projection[],
): RunnableConsumer[] =>
  projections.map((projection) => {
    const status = createConsumerStatus(projection.name, { version: projection.version });
    const consumer = consumerOf(projection);
    return {
      name: consumer.name,
      status,
      run: (signal) =>
        runProjector({
          projection,
          subscription: bus.events(consumer, { onCheckpoint: status.recordCheckpoint }),
          documents,
          logger: logger.child({ consumer: projection.name }),
          signal,
          status,
          holdGapsMs: bus.holdGapsMs,
        }),
    };
  });

/**
 * The archive's consumers: every event and every ping, idempotently; and, where the process reads the log
 * itself, the anchoring of the log's head in the archive (tamper evidence a second store keeps).
 */
export const archiveConsumers = (
  { bus, logger }: Pick<ConsumerWorld, 'bus' | 'logger'>,
  { archive, log, anchorIntervalMs }: { readonly archive: EventArchive; readonly log?: EventStore; readonly anchorIntervalMs?: number },
): RunnableConsumer[] => {
  const events = createConsumerStatus(archiverConsumer.name);
  return [
    {
      name: archiverConsumer.name,
      status: events,
      run: (signal) =>
        bus.events(archiverConsumer, { onCheckpoint: events.recordCheckpoint })(
          withStatus(
            withHandlingSpans(
              archiverConsumer.name,
              archiveDeliveries({ archive, logger: logger.child({ consumer: archiverConsumer.name }) }),
            ),
            events,
          ),
          {
            signal,
            maxBatch: 2_000,
          },
        ),
    },
    {
      name: telemetryArchiverSubscription,
      run: (signal) =>
        bus.telemetryArchive(archiveTelemetryDeliveries({ archive, logger: logger.child({ consumer: telemetryArchiverSubscription }) }), {
          signal,
          maxBatch: 5_000,
        }),
    },
    ...(log?.chainHead === undefined
      ? []
      : [
          {
            name: 'log-anchors',
            run: (signal: AbortSignal) =>
              runAnchoring({
                store: log,
                archive,
                logger: logger.child({ consumer: 'log-anchors' }),
                signal,
                ...(anchorIntervalMs !== undefined && { intervalMs: anchorIntervalMs }),
              }),
          },
        ]),
  ];
};

/** The live map: the telemetry firehose, throttled per vehicle, into the `live_map` read model. */
export const liveMapConsumer = (
  { bus, documents, logger }: ConsumerWorld,
  { intervalMs }: { readonly intervalMs?: number } = {},
): RunnableConsumer => ({
  name: liveMapSubscription,
  run: (signal) =>
    runLiveMap({
      subscription: bus.telemetry,
      documents,
      logger: logger.child({ consumer: liveMapSubscription }),
      signal,
      ...(intervalMs !== undefined && { intervalMs }),
    }),
});

/** The driver scores' distance: the telemetry firehose, each van's earliest ping per 30-second slot (docs/driver-scores.md). */
export const distanceSlotsConsumer = (
  { bus, documents, logger }: ConsumerWorld,
  { retentionDays }: { readonly retentionDays?: number } = {},
): RunnableConsumer => ({
  name: distanceSlotsSubscription,
  run: (signal) =>
    runDistanceSlots({
      subscription: bus.distanceTelemetry,
      documents,
      logger: logger.child({ consumer: distanceSlotsSubscription }),
      signal,
      ...(retentionDays !== undefined && { retentionDays }),
    }),
});

/** The name the timer runner is supervised and reported by. */
export const timerRunnerName = 'timer-runner';

export type ReactionDeps = {
  /** Where commands are sent: the event store the API writes to. */
  readonly store: EventStore;
  readonly reactions: ReactionSet;
  readonly aggregates?: AggregateRegistry;
  /** The command handler's folded states (shared with the API in one process). */
  readonly cache?: StateCache;
  readonly now?: () => Date;
  /** Longest sleep of the timer runner between looks (default 1 s); it wakes on every change of the timers. */
  readonly timerMaxWaitMs?: number;
  /** What each effect reactor of the set reads and which port carries its effects out, by the reactor's name. */
  readonly effectHandlers?: Readonly<Record<string, EffectHandler<DomainEvent, unknown, unknown>>>;
  /** Where the effect reactors' processed-messages records live (default: the consumers' document store). */
  readonly effectRecords?: DocumentStore;
};

const runReaction = (
  { bus, documents, logger }: Pick<ConsumerWorld, 'documents' | 'logger'> & { readonly bus: Pick<Bus, 'events' | 'holdGapsMs'> },
  { subscription, deliveries }: ReactionStreamConsumer,
): RunnableConsumer => {
  const status = createConsumerStatus(subscription.name);
  return {
    name: subscription.name,
    status,
    run: (signal) =>
      bus.events(subscription, { onCheckpoint: status.recordCheckpoint })(
        deliveries({ documents, logger: logger.child({ consumer: subscription.name }), status, holdGapsMs: bus.holdGapsMs }),
        // Small batches: each event's commands are sent before its checkpoint, one at a time.
        { signal, maxBatch: 50 },
      ),
  };
};

/**
 * A reaction's consumer: the subscription it reads through, and its handler of deliveries on the one
 * consumer runtime (made here, where its item type is known).
 */
export type ReactionStreamConsumer = {
  readonly subscription: ConsumerDefinition;
  readonly deliveries: (deps: Omit<StreamDeliveryDeps<unknown>, 'consumer'>) => BatchHandler<RecordedEvent>;
};

const reactionOf = <Item>(subscription: ConsumerDefinition, consumer: StreamConsumer<Item>): ReactionStreamConsumer => ({
  subscription,
  deliveries: (deps) => streamDeliveries({ ...deps, consumer: () => consumer }),
});

const processDepsOf = (deps: ReactionDeps, logger: Logger) => ({
  store: deps.store,
  aggregates: deps.aggregates ?? platformAggregates,
  activities: deps.reactions.activities ?? {},
  logger,
  ...(deps.cache !== undefined && { cache: deps.cache }),
  ...(deps.now !== undefined && { now: deps.now }),
});

/** An effect reactor's handler, from the deps: a reactor the wiring gave none is a wiring bug, refused at start. */
const effectHandlerOf = (deps: ReactionDeps, name: string): EffectHandler<DomainEvent, unknown, unknown> => {
  const handler = deps.effectHandlers?.[name];
  if (handler === undefined) throw new Error(`the effect reactor ${name} has no handler (ReactionDeps.effectHandlers)`);
  return handler;
};

/**
 * The stream consumers of the reaction side: one per reactor, per process manager, per effect reactor (the
 * redrive script hands dead letters to them too). Effect reactors need the documents for their records.
 */
export const reactionStreamConsumers = (deps: ReactionDeps, logger: Logger, documents: DocumentStore): ReactionStreamConsumer[] => {
  const processDeps = processDepsOf(deps, logger);
  const records = deps.effectRecords ?? documents;
  const effectReactors = deps.reactions.effectReactors ?? [];
  return [
    ...deps.reactions.reactors.map((reactor) => reactionOf(reactorSubscription(reactor), reactorConsumer(processDeps, reactor))),
    ...deps.reactions.processManagers.map((pm) => reactionOf(processSubscription(pm), processConsumer(processDeps, pm))),
    ...effectReactors.map((reactor) =>
      reactionOf(
        effectSubscription(reactor),
        effectConsumer(
          {
            ...effectHandlerOf(deps, reactor.name),
            documents: records,
            logger: logger.child({ consumer: reactor.name }),
            ...(deps.now !== undefined && { now: deps.now }),
          },
          reactor,
        ),
      ),
    ),
  ];
};

/** The ETA reactor's telemetry consumer (docs/eta.md), where the reaction set has ETA settings and the bus a subscription for it. */
const etaTelemetryConsumers = (
  { bus, logger }: Pick<ConsumerWorld, 'logger'> & { readonly bus: Partial<Pick<Bus, 'etaTelemetry'>> },
  deps: ReactionDeps,
  processDeps: ReturnType<typeof processDepsOf>,
): RunnableConsumer[] => {
  const { eta } = deps.reactions;
  const subscription = bus.etaTelemetry;
  if (eta === undefined || subscription === undefined) return [];
  return [
    {
      name: etaTelemetrySubscription,
      run: (signal) =>
        runEtaTelemetry({
          subscription,
          intents: processDeps,
          routeOf: vehicleRouteOf(deps.store),
          model: eta.model,
          throttle: eta.throttle,
          checkIntervalMs: eta.checkIntervalMs,
          logger: logger.child({ consumer: etaTelemetrySubscription }),
          signal,
          ...(deps.now !== undefined && { now: deps.now }),
        }),
    },
  ];
};

/**
 * The ETA's telemetry consumer alone: for a process that runs the rest of the reaction side elsewhere (npm start's
 * reaction thread) but receives the pings itself, in its in-process queue.
 */
export const etaTelemetryConsumersOf = (
  world: Pick<ConsumerWorld, 'logger'> & { readonly bus: Partial<Pick<Bus, 'etaTelemetry'>> },
  deps: ReactionDeps,
): RunnableConsumer[] => etaTelemetryConsumers(world, deps, processDepsOf(deps, world.logger));

/** Every consumer of the reaction side, ready for startConsumers. */
export const reactionConsumers = (
  world: Pick<ConsumerWorld, 'documents' | 'logger'> & {
    readonly bus: Pick<Bus, 'events' | 'holdGapsMs'> & Partial<Pick<Bus, 'etaTelemetry'>>;
  },
  deps: ReactionDeps,
): RunnableConsumer[] => {
  const processDeps = processDepsOf(deps, world.logger);
  const projection = timersProjectionOf(deps.reactions);
  const byName = new Map(deps.reactions.processManagers.map((pm) => [pm.name, processRuntime(processDeps, pm)]));
  return [
    ...reactionStreamConsumers(deps, world.logger, world.documents).map((reaction) => runReaction(world, reaction)),
    ...etaTelemetryConsumers(world, deps, processDeps),
    ...(projection === undefined
      ? []
      : [
          ...projectorConsumers(world, [projection]),
          {
            name: timerRunnerName,
            run: (signal: AbortSignal) =>
              runTimers({
                documents: world.documents,
                projection,
                logger: world.logger.child({ consumer: timerRunnerName }),
                signal,
                ...(deps.now !== undefined && { now: deps.now }),
                ...(deps.timerMaxWaitMs !== undefined && { maxWaitMs: deps.timerMaxWaitMs }),
                fire: async (timer) => {
                  const runtime = byName.get(timer.processManager);
                  // A timer of a process manager this process does not run (renamed, removed): left for one that does.
                  if (runtime === undefined) return world.logger.warn('timer of an unknown process manager', { ...timer });
                  await runtime.fireTimer(timer);
                },
              }),
          },
        ]),
  ];
};
