// Where a projector stands: the last position it applied, when that event was recorded, and how far the
// log has moved on. Reported by the query API's /v1/projections and in the logs.
import type { RecordedEvent } from '@meridian/kernel';

export type ProjectorSnapshot = {
  readonly name: string;
  readonly version: number;
  /** Global position of the last event applied (0 before any). */
  readonly position: number;
  readonly lastRecordedAt?: string;
  readonly appliedAt?: string;
  /** Milliseconds between the last event's recording and its application. */
  readonly lagMs?: number;
  readonly eventsApplied: number;
};

export type ProjectorStatus = {
  readonly recordApplied: (events: readonly RecordedEvent[]) => void;
  readonly snapshot: () => ProjectorSnapshot;
};

export const createProjectorStatus = (name: string, version: number, now: () => Date = () => new Date()): ProjectorStatus => {
  let position = 0;
  let lastRecordedAt: string | undefined;
  let appliedAt: string | undefined;
  let eventsApplied = 0;
  return {
    recordApplied: (events) => {
      const last = events.reduce<RecordedEvent | undefined>((latest, e) => (latest === undefined || e.globalPosition > latest.globalPosition ? e : latest), undefined);
      if (last === undefined || last.globalPosition <= position) return;
      position = last.globalPosition;
      lastRecordedAt = last.recordedAt;
      appliedAt = now().toISOString();
      eventsApplied += events.length;
    },
    snapshot: () => ({
      name,
      version,
      position,
      eventsApplied,
      ...(lastRecordedAt !== undefined && { lastRecordedAt }),
      ...(appliedAt !== undefined && { appliedAt, lagMs: Date.parse(appliedAt) - Date.parse(lastRecordedAt ?? appliedAt) }),
    }),
  };
};
