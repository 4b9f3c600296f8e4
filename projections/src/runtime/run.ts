// Running a projector: prepare its collections, then apply what its subscription delivers until stopped.
// The subscription decides the wiring (the log embedded, Pub/Sub in the cloud); the projector does not.
import type { ConsumerDefinition, DocumentStore, Logger, RecordedEvent, Subscription } from '@meridian/kernel';
import { prepareProjection } from './apply.ts';
import { projectDeliveries } from './consume.ts';
import type { Projection } from './projection.ts';
import type { ProjectorStatus } from './status.ts';

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
  await prepareProjection(documents, projection);
  logger.info('projector started', { consumer: projection.name, version: projection.version });
  await subscription(projectDeliveries({ documents, projection, logger, ...(status && { status }) }), { signal, maxBatch });
  logger.info('projector stopped', { consumer: projection.name });
};
