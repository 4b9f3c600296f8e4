import { documentCheckpointer, documentDeadLetters } from '@meridian/kernel';
// The archivers of the embedded platform: every event (a consumer of the log with its own checkpoint) and
// every ping (a second telemetry queue, fed with the live map's) into the archive. They run on the main
// thread: the archive (DuckDB) allows one opening per process, and the audit API shares it.
import type { EventArchive, EventStore, DocumentStore, Logger, Subscription } from '@meridian/kernel';
import { createLogSubscription } from '@meridian/embedded';
import { archiveDeliveries, archiveTelemetryDeliveries } from '@meridian/projections';
import type { TelemetryPing } from '@meridian/vehicle';
import { archiverConsumer } from '@meridian/wiring';

export type ArchivingDeps = {
  readonly archive: EventArchive;
  readonly store: EventStore;
  readonly documents: DocumentStore;
  readonly telemetry: Subscription<TelemetryPing>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
};

export const runArchivers = ({ archive, store, documents, telemetry, logger, signal }: ArchivingDeps): Promise<unknown> => {
  const events = createLogSubscription({ log: store, checkpoints: documentCheckpointer(documents), deadLetters: documentDeadLetters(documents), consumer: archiverConsumer, logger });
  return Promise.allSettled([
    events(archiveDeliveries({ archive, logger: logger.child({ consumer: archiverConsumer.name }) }), { signal, maxBatch: 2_000 }),
    telemetry(archiveTelemetryDeliveries({ archive, logger: logger.child({ consumer: 'telemetry-archiver' }) }), { signal, maxBatch: 5_000 }),
  ]);
};
