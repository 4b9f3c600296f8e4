// Starting the platform's consumers, the same way in both wirings: each one a name, a loop that runs until
// the stop signal (a subscription's), and where it stands; started under supervision (a consumer that fails
// is restarted with a growing pause, the others carry on), stopped together. The bus decides the wiring:
// catch-up subscriptions over the log embedded, Pub/Sub subscriptions in the cloud.
import type { EventArchive, DocumentStore, EventStore, Logger, Projection } from '@meridian/kernel';
import {
  archiveDeliveries,
  archiveTelemetryDeliveries,
  consumerOf,
  createConsumerStatus,
  runAnchoring,
  runLiveMap,
  runProjector,
  withStatus,
  type ConsumerSnapshot,
  type ConsumerStatus,
} from '@meridian/projections';
import { supervise } from '@meridian/runtime';
import type { Bus } from './bus.ts';
import { archiverConsumer, liveMapSubscription, telemetryArchiverSubscription } from './topology.ts';

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
  readonly bus: Pick<Bus, 'events' | 'telemetry' | 'telemetryArchive' | 'holdGapsMs'>;
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
          withStatus(archiveDeliveries({ archive, logger: logger.child({ consumer: archiverConsumer.name }) }), events),
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
