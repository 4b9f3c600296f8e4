// Where a consumer stands: its checkpoint (how far it has read the log: every event up to it is handled,
// or is not of a type it follows), the last event it handled, when that event was recorded, and how long it
// took. Reported by /healthz, /v1/projections and the logs, the same way for every consumer.
import type { BatchHandler, RecordedEvent } from '@meridian/kernel';

export type ConsumerSnapshot = {
  readonly name: string;
  /** A projection's version; absent for consumers that have none. */
  readonly version?: number;
  /**
   * The consumer's checkpoint: the global position it has read the log through. It reaches the head when
   * the consumer is caught up, although most events there are not of its types. Known where the consumer
   * reads the log itself (the embedded wiring); a Pub/Sub subscription has no position in the log.
   */
  readonly checkpoint?: number;
  /** Global position of the last event applied (0 before any); below the head when later events are not its. */
  readonly position: number;
  readonly lastRecordedAt?: string;
  readonly appliedAt?: string;
  /** Milliseconds between the last event's recording and its application. */
  readonly lagMs?: number;
  readonly eventsApplied: number;
};

export type ConsumerStatus = {
  readonly recordApplied: (events: readonly Pick<RecordedEvent, 'globalPosition' | 'recordedAt'>[]) => void;
  /** The consumer's checkpoint moved (see ConsumerSnapshot.checkpoint). */
  readonly recordCheckpoint: (position: number) => void;
  readonly snapshot: () => ConsumerSnapshot;
};

export const createConsumerStatus = (
  name: string,
  { version, now = () => new Date() }: { version?: number; now?: () => Date } = {},
): ConsumerStatus => {
  let position = 0;
  let lastRecordedAt: string | undefined;
  let appliedAt: string | undefined;
  let eventsApplied = 0;
  let checkpoint: number | undefined;
  return {
    recordApplied: (events) => {
      const last = events.reduce<Pick<RecordedEvent, 'globalPosition' | 'recordedAt'> | undefined>(
        (latest, e) => (latest === undefined || e.globalPosition > latest.globalPosition ? e : latest),
        undefined,
      );
      if (last === undefined || last.globalPosition <= position) return;
      position = last.globalPosition;
      eventsApplied += events.length;
      lastRecordedAt = last.recordedAt;
      appliedAt = now().toISOString();
    },
    recordCheckpoint: (reached) => {
      checkpoint = Math.max(checkpoint ?? 0, reached);
    },
    snapshot: () => ({
      name,
      ...(version !== undefined && { version }),
      ...(checkpoint !== undefined && { checkpoint }),
      position,
      eventsApplied,
      ...(lastRecordedAt !== undefined && { lastRecordedAt }),
      ...(appliedAt !== undefined && { appliedAt, lagMs: Date.parse(appliedAt) - Date.parse(lastRecordedAt ?? appliedAt) }),
    }),
  };
};

/**
 * A handler of the bus that records in `status` the events whose deliveries it acked: how consumers that
 * keep no stream checkpoint (the archiver) report where they stand, as the stream consumers do.
 */
export const withStatus =
  (handler: BatchHandler<RecordedEvent>, status: ConsumerStatus): BatchHandler<RecordedEvent> =>
  async (deliveries) => {
    const acked: RecordedEvent[] = [];
    await handler(deliveries.map((delivery) => ({ ...delivery, ack: () => (acked.push(delivery.message), delivery.ack()) })));
    status.recordApplied(acked);
  };

/** How far behind a consumer is: events of the log it has yet to read, and how long the oldest has waited. */
export type ConsumerLag = { readonly events?: number; readonly seconds?: number };

/**
 * A consumer's lag from its snapshot and the log's head (`nextRecordedAt`: when the first event after its
 * checkpoint was recorded). Without a checkpoint (a Pub/Sub subscription: the subscription's backlog is
 * the broker's to measure), the lag in seconds is that of the last event it handled.
 */
export const lagOf = (
  snapshot: ConsumerSnapshot,
  head: { readonly position: number; readonly nextRecordedAt?: string },
  now: Date,
): ConsumerLag => {
  if (snapshot.checkpoint === undefined) return snapshot.lagMs === undefined ? {} : { seconds: snapshot.lagMs / 1000 };
  const events = Math.max(0, head.position - snapshot.checkpoint);
  if (events === 0 || head.nextRecordedAt === undefined) return { events, seconds: 0 };
  return { events, seconds: Math.max(0, (now.getTime() - Date.parse(head.nextRecordedAt)) / 1000) };
};
