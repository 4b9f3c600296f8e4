// Where a projector stands: its checkpoint (how far it has read the log: every event up to it is applied,
// or is not of a type it follows), the last event it applied, when that event was recorded, and how long it
// took to apply. Reported by /healthz and the query API's /v1/projections.
import type { RecordedEvent } from '@meridian/kernel';

export type ProjectorSnapshot = {
  readonly name: string;
  readonly version: number;
  /**
   * The consumer's checkpoint: the global position it has read the log through. It reaches the head when
   * the projector is caught up, although most events there are not of its types. Known where the consumer
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

export type ProjectorStatus = {
  readonly recordApplied: (events: readonly RecordedEvent[]) => void;
  /** The consumer's checkpoint moved (see ProjectorSnapshot.checkpoint). */
  readonly recordCheckpoint: (position: number) => void;
  readonly snapshot: () => ProjectorSnapshot;
};

export const createProjectorStatus = (name: string, version: number, now: () => Date = () => new Date()): ProjectorStatus => {
  let position = 0;
  let lastRecordedAt: string | undefined;
  let appliedAt: string | undefined;
  let eventsApplied = 0;
  let checkpoint: number | undefined;
  return {
    recordApplied: (events) => {
      const last = events.reduce<RecordedEvent | undefined>((latest, e) => (latest === undefined || e.globalPosition > latest.globalPosition ? e : latest), undefined);
      if (last === undefined || last.globalPosition <= position) return;
      position = last.globalPosition;
      lastRecordedAt = last.recordedAt;
      appliedAt = now().toISOString();
      eventsApplied += events.length;
    },
    recordCheckpoint: (reached) => {
      checkpoint = Math.max(checkpoint ?? 0, reached);
    },
    snapshot: () => ({
      name,
      version,
      ...(checkpoint !== undefined && { checkpoint }),
      position,
      eventsApplied,
      ...(lastRecordedAt !== undefined && { lastRecordedAt }),
      ...(appliedAt !== undefined && { appliedAt, lagMs: Date.parse(appliedAt) - Date.parse(lastRecordedAt ?? appliedAt) }),
    }),
  };
};
