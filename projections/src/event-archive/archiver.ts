// The archiver: a consumer of the event plane (and of the telemetry queue) that writes what it receives
// to the event archive. It keeps no checkpoint and no state of its own: the archive is idempotent (one row
// per event id, per vehicle and instant), so a redelivery, a retry or a replay from position 0 rewrites
// nothing, and rebuilding the archive is replaying the log into an empty one.
//
// A batch is written whole and settled whole: acked once the archive has it, retried (all of it) if the
// write failed. Retrying the rows that did get in costs a lookup, never a duplicate. A batch that keeps
// failing is dead-lettered by the bus after its attempts, with the reason given here.
import type { ArchivedPing, BatchHandler, Delivery, EventArchive, Logger, RecordedEvent } from '@meridian/kernel';
import type { TelemetryPing } from '@meridian/vehicle';

export type ArchiverDeps = {
  readonly archive: EventArchive;
  readonly logger: Logger;
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Writes the batch's messages and settles every delivery by the outcome, with one log line for the batch. */
const archiveBatch =
  <M>(
    what: 'events' | 'telemetry',
    write: (messages: readonly M[]) => Promise<{ readonly inserted: number }>,
    logger: Logger,
    each?: (message: M) => void,
  ): BatchHandler<M> =>
  async (deliveries: readonly Delivery<M>[]) => {
    if (deliveries.length === 0) return;
    const received = deliveries.length;
    const attempt = Math.max(...deliveries.map((d) => d.attempt));
    try {
      const { inserted } = await write(deliveries.map((d) => d.message));
      for (const delivery of deliveries) delivery.ack();
      logger.info(`${what} archived`, { archive: what, received, inserted, alreadyArchived: received - inserted, attempt });
      if (each !== undefined) for (const delivery of deliveries) each(delivery.message);
    } catch (error) {
      const reason = `not archived: ${describe(error)}`;
      for (const delivery of deliveries) delivery.retry(reason);
      logger.warn(`${what} not archived; the batch will be retried`, { archive: what, received, attempt, error: describe(error) });
    }
  };

/** An archived event's own log line, with its trace, as every consumer of the event plane writes one. */
const eventLine = (logger: Logger) => (event: RecordedEvent) =>
  logger.info('event archived', {
    consumer: 'event-archiver',
    eventId: event.eventId,
    eventType: event.type,
    streamId: event.streamId,
    globalPosition: event.globalPosition,
    ...(event.metadata.traceparent && { traceparent: event.metadata.traceparent }),
  });

export const archiveDeliveries = ({ archive, logger }: ArchiverDeps): BatchHandler<RecordedEvent> =>
  archiveBatch('events', archive.write, logger, eventLine(logger));

/** A ping is archived as it came in: the vehicle, where, how fast, which way, and when it was measured. */
const archivedPing = ({ vehicleId, lat, lng, speed, heading, recordedAt }: TelemetryPing): ArchivedPing => ({
  vehicleId,
  lat,
  lng,
  speed,
  heading,
  recordedAt,
});

export const archiveTelemetryDeliveries = ({ archive, logger }: ArchiverDeps): BatchHandler<TelemetryPing> =>
  archiveBatch('telemetry', (pings: readonly TelemetryPing[]) => archive.writeTelemetry(pings.map(archivedPing)), logger);
