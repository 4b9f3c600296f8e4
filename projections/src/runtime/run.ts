// Running a projector: prepare its collections, then apply what its subscription delivers until stopped.
// The subscription decides the wiring (the log embedded, Pub/Sub in the cloud); the projector does not.
import type { ConsumerDefinition, DocumentStore, Logger, RecordedEvent, Subscription } from '@meridian/kernel';
import { prepareProjection } from './apply.ts';
import { projectDeliveries } from './consume.ts';
import type { Projection } from './projection.ts';
import { ensureGenerations, liveGenerationResolver } from './generations.ts';
import { createProjectorStatus, type ProjectorStatus } from './status.ts';

/** The consumer (subscription) a projection reads through: `parcel-status-projector`. */
export const consumerOf = (projection: Projection): ConsumerDefinition => ({ name: `${projection.name}-projector`, eventTypes: projection.eventTypes });

export type RunProjectorDeps = {
  readonly projection: Projection;
  readonly subscription: Subscription<RecordedEvent>;
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly status?: ProjectorStatus;
  readonly maxBatch?: number;
};

export const runProjector = async ({ projection, subscription, documents, logger, signal, status, maxBatch = 500 }: RunProjectorDeps): Promise<void> => {
  const { live } = await ensureGenerations(documents, projection);
  await prepareProjection(documents, projection, live);
  const generation = liveGenerationResolver(documents, projection, logger);
  // The status also feeds the resolver the positions applied, for the acknowledgement of a switch.
  const tracking: ProjectorStatus = {
    recordApplied: (events) => {
      for (const event of events) generation.applied(event.globalPosition);
      status?.recordApplied(events);
    },
    recordCheckpoint: (position) => status?.recordCheckpoint(position),
    snapshot: () => status?.snapshot() ?? createProjectorStatus(projection.name, projection.version).snapshot(),
  };
  logger.info('projector started', { consumer: projection.name, version: projection.version, generation: live });
  await subscription(projectDeliveries({ documents, projection, logger, status: tracking, generation: generation.resolve }), { signal, maxBatch });
  logger.info('projector stopped', { consumer: projection.name });
};
