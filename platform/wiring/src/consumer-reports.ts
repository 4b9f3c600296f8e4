// Where consumers stand, across processes. In the cloud each consumer runs in its own service (projector,
// reactions, webhooks) and the query API runs none, so the operations page cannot ask them in memory as the
// embedded wiring does: each consumer process writes its consumers' snapshots to the document store every
// few seconds, and the query API reads them back, each with when it was reported (an old report is a
// consumer that stopped reporting: its process is gone or stuck, which is what an operator must see).
import { collection, struct, typedCollection, type DocumentStore, type Logger } from '@meridian/kernel';
import type { ConsumerSnapshot } from '@meridian/projections';
import * as t from 'io-ts';

export const ConsumerReport = struct(
  'ConsumerReport',
  {
    name: t.string,
    /** The service and instance that run it (`<service>/<host name>`). */
    process: t.string,
    reportedAt: t.string,
    position: t.number,
    eventsApplied: t.number,
  },
  { version: t.number, checkpoint: t.number, lastRecordedAt: t.string, appliedAt: t.string, lagMs: t.number },
);
export type ConsumerReport = t.TypeOf<typeof ConsumerReport>;

export const consumerReports = collection('consumer-reports', ConsumerReport);

/** How often a consumer process reports, by default. */
export const defaultReportEveryMs = 5_000;

/** Pure: a snapshot as reported by a process at a time. */
export const reportOf = (snapshot: ConsumerSnapshot, process: string, at: Date): ConsumerReport => ({
  ...snapshot,
  process,
  reportedAt: at.toISOString(),
});

/** Pure: a report's document id, one per consumer and process (Firestore ids may not hold a `/`). */
export const reportIdOf = (consumer: string, process: string): string => `${consumer}@${process}`.replaceAll('/', ':');

/** Writes the snapshots now and every `everyMs` until the returned function is called (which writes once more). */
export const reportConsumers = ({
  documents,
  process,
  snapshots,
  logger,
  everyMs = defaultReportEveryMs,
  now = () => new Date(),
}: {
  readonly documents: DocumentStore;
  readonly process: string;
  readonly snapshots: () => readonly ConsumerSnapshot[];
  readonly logger: Logger;
  readonly everyMs?: number;
  readonly now?: () => Date;
}): (() => Promise<void>) => {
  const reports = typedCollection(documents, consumerReports);
  let writing = Promise.resolve();
  const report = () => {
    const at = now();
    writing = writing
      .then(() =>
        reports.put(snapshots().map((snapshot) => ({ id: reportIdOf(snapshot.name, process), document: reportOf(snapshot, process, at) }))),
      )
      // A report that cannot be written is the next one's to make: the consumers go on regardless.
      .catch((error: unknown) =>
        logger.warn('consumer report not written', { error: error instanceof Error ? error.message : String(error) }),
      );
    return writing;
  };
  void report();
  const timer = setInterval(() => void report(), everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await report();
  };
};

/** How long a report is shown after its process stopped reporting (an instance scaled in, a service removed). */
export const reportsShownForMs = 15 * 60_000;

/**
 * Every consumer's last report, one per consumer and process instance (a service scaled out reports each of
 * its instances), but for those whose process stopped reporting more than `reportsShownForMs` ago.
 */
export const reportedConsumers = async (documents: DocumentStore, now: Date = new Date()): Promise<readonly ConsumerReport[]> =>
  (await typedCollection(documents, consumerReports).query({ limit: 500 })).documents
    .map(({ document }) => document)
    .filter((report) => now.getTime() - Date.parse(report.reportedAt) <= reportsShownForMs);
