// Where a consumer stands: the last position it handled, when that event was recorded, and how far behind
// the log it is. Reported by /v1/projections, /healthz and the logs, the same way for every consumer.
import type { RecordedEvent } from '@meridian/kernel';

export type ConsumerSnapshot = {
  readonly name: string;
  /** A projection's version; absent for consumers that have none. */
  readonly version?: number;
  /** Global position of the last event handled (0 before any). */
  readonly position: number;
  readonly lastRecordedAt?: string;
  readonly appliedAt?: string;
  /** Milliseconds between the last event's recording and its application. */
  readonly lagMs?: number;
  readonly eventsApplied: number;
};

export type ConsumerStatus = {
  readonly recordApplied: (events: readonly Pick<RecordedEvent, 'globalPosition' | 'recordedAt'>[]) => void;
  readonly snapshot: () => ConsumerSnapshot;
};

export const createConsumerStatus = (name: string, { version, now = () => new Date() }: { version?: number; now?: () => Date } = {}): ConsumerStatus => {
  let position = 0;
  let lastRecordedAt: string | undefined;
  let appliedAt: string | undefined;
  let eventsApplied = 0;
  return {
    recordApplied: (events) => {
      const last = events.reduce<Pick<RecordedEvent, 'globalPosition' | 'recordedAt'> | undefined>((latest, e) => (latest === undefined || e.globalPosition > latest.globalPosition ? e : latest), undefined);
      if (last === undefined || last.globalPosition <= position) return;
      position = last.globalPosition;
      eventsApplied += events.length;
      lastRecordedAt = last.recordedAt;
      appliedAt = now().toISOString();
    },
    snapshot: () => ({
      name,
      ...(version !== undefined && { version }),
      position,
      eventsApplied,
      ...(lastRecordedAt !== undefined && { lastRecordedAt }),
      ...(appliedAt !== undefined && { appliedAt, lagMs: Date.parse(appliedAt) - Date.parse(lastRecordedAt ?? appliedAt) }),
    }),
  };
};
