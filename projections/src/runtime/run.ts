// Running a projector: prepare its collections, then apply what its subscription delivers until stopped.
// The subscription decides the wiring (the log embedded, Pub/Sub in the cloud); the projector does not.
import type { ConsumerDefinition, DocumentStore, Logger, RecordedEvent, Subscription, Projection } from '@meridian/kernel';
import { prepareProjection, projectorConsumer } from './projector.ts';
import { streamDeliveries } from './stream-consumer.ts';
import { ensureGenerations, liveGenerationResolver } from './generations.ts';
import { createConsumerStatus, type ConsumerStatus } from './status.ts';

/** The consumer (subscription) a projection reads through: `parcel-status-projector`. */
export const consumerOf = (projection: Projection): ConsumerDefinition => ({
  name: `${projection.name}-projector`,
  eventTypes: projection.eventTypes,
});

export type RunProjectorDeps = {
  readonly projection: Projection;
  readonly subscription: Subscription<RecordedEvent>;
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly status?: ConsumerStatus;
  readonly maxBatch?: number;
  /** See StreamDeliveryDeps.holdGapsMs: what the bus lets a consumer hold (0 on the log). */
  readonly holdGapsMs?: number;
};

export const runProjector = async ({
  projection,
  subscription,
  documents,
  logger,
  signal,
  status,
  maxBatch = 500,
  holdGapsMs,
}: RunProjectorDeps): Promise<void> => {
  const { live } = await ensureGenerations(documents, projection);
  await prepareProjection(documents, projection, live);
  const generation = liveGenerationResolver(documents, projection, logger);
  // The status also feeds the resolver the positions applied, for the acknowledgement of a switch.
  const tracking: ConsumerStatus = {
    recordApplied: (events) => {
      for (const event of events) generation.applied(event.globalPosition);
      status?.recordApplied(events);
    },
    recordCheckpoint: (position) => status?.recordCheckpoint(position),
    snapshot: () => status?.snapshot() ?? createConsumerStatus(projection.name, { version: projection.version }).snapshot(),
  };
  logger.info('projector started', { consumer: projection.name, version: projection.version, generation: live });
  const consumer = async () => projectorConsumer(projection, await generation.resolve());
  await subscription(streamDeliveries({ documents, consumer, logger, status: tracking, ...(holdGapsMs !== undefined && { holdGapsMs }) }), {
    signal,
    maxBatch,
  });
  logger.info('projector stopped', { consumer: projection.name });
};
