// The projector as a consumer of the bus: apply a batch of deliveries, settle each by its outcome. A batch
// that fails as a whole is retried event by event, so one poison event holds up only its own stream.
import { failureKindOf, type BatchHandler, type Delivery, type DocumentStore, type Logger, type RecordedEvent } from '@meridian/kernel';
import { applyEvents } from './apply.ts';
import type { Outcome } from './plan.ts';
import type { Generation, Projection } from './projection.ts';
import type { ProjectorStatus } from './status.ts';

export type ProjectorDeps = {
  readonly documents: DocumentStore;
  readonly projection: Projection;
  readonly logger: Logger;
  readonly status?: ProjectorStatus;
  /** Which generation to write: resolved before each batch (blue/green switches happen between batches). */
  readonly generation?: () => Promise<Generation>;
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

const settle = (delivery: Delivery<RecordedEvent>, outcome: Outcome) => {
  if (outcome === 'gap') delivery.retry(`an earlier revision of ${delivery.message.streamId} has not been applied yet`);
  else delivery.ack();
};

const logLine = (deps: ProjectorDeps, delivery: Delivery<RecordedEvent>, outcome: string, extra: Record<string, unknown> = {}) => {
  const { eventId, type, streamId, streamRevision, globalPosition, metadata } = delivery.message;
  const fields = { consumer: deps.projection.name, outcome, eventId, eventType: type, streamId, streamRevision, globalPosition, attempt: delivery.attempt, ...(metadata.traceparent && { traceparent: metadata.traceparent }), ...extra };
  if (outcome === 'failed') deps.logger.warn('event not applied', fields);
  else deps.logger.info(`event ${outcome}`, fields);
};

/** One at a time, after a batch failed: find the poison, let everything else through. */
const applyOneByOne = async (deps: ProjectorDeps, deliveries: readonly Delivery<RecordedEvent>[], generation: Generation) => {
  for (const delivery of deliveries) {
    try {
      const [outcome = 'gap'] = await applyEvents(deps.documents, deps.projection, [delivery.message], generation);
      settle(delivery, outcome);
      if (outcome !== 'gap') deps.status?.recordApplied([delivery.message]);
      logLine(deps, delivery, outcome);
    } catch (error) {
      logLine(deps, delivery, 'failed', { error: describe(error) });
      if (failureKindOf(error) === 'permanent') delivery.deadLetter(describe(error));
      else delivery.retry(describe(error));
    }
  }
};

export const projectDeliveries =
  (deps: ProjectorDeps): BatchHandler<RecordedEvent> =>
  async (deliveries) => {
    let outcomes: Outcome[];
    const generation = (await deps.generation?.()) ?? deps.projection.version;
    try {
      outcomes = await applyEvents(deps.documents, deps.projection, deliveries.map((d) => d.message), generation);
    } catch (error) {
      deps.logger.warn('batch not applied; retrying event by event', { consumer: deps.projection.name, size: deliveries.length, error: describe(error) });
      return applyOneByOne(deps, deliveries, generation);
    }
    deliveries.forEach((delivery, index) => {
      const outcome = outcomes[index] ?? 'gap';
      settle(delivery, outcome);
      logLine(deps, delivery, outcome);
    });
    deps.status?.recordApplied(deliveries.map((d) => d.message));
  };
