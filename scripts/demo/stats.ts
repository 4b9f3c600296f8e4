// What the wave counts while it runs: one mutable record, and the functions that add to it.
export type StatusKey = number | 'network';

/** A failed exchange worth showing: what was sent, what came back, and what the problem said. */
export type FailedRequest = {
  readonly method: string;
  readonly path: string;
  readonly status: StatusKey;
  readonly problem: string;
};

export type WaveStats = {
  readonly startedAt: number;
  commandsSent: number;
  commandsAccepted: number;
  commandsReplayed: number;
  readonly byStatus: Map<StatusKey, number>;
  readonly latenciesMs: number[];
  pingsSent: number;
  pingsAccepted: number;
  pingsDropped: number;
  pingBatches: number;
  deliveries: number;
  failedAttempts: number;
  returned: number;
  stopsCompleted: number;
  stopsSkipped: number;
  routesStarted: number;
  routesFinished: number;
  vehiclesDone: number;
  /** Vans the windows gave no route: released by the saga, off duty again. */
  vehiclesIdle: number;
  offersAccepted: number;
  offersDeclined: number;
  /** Offers a driver let run out: the saga withdrew them at their deadline. */
  offersUnanswered: number;
  readonly aborted: string[];
  /** Errors a rerun explains (a resumed run meeting its own earlier work), counted apart. */
  explainedByRerun: number;
  readonly unexpected: FailedRequest[];
};

export const createStats = (startedAt: number): WaveStats => ({
  startedAt,
  commandsSent: 0,
  commandsAccepted: 0,
  commandsReplayed: 0,
  byStatus: new Map(),
  latenciesMs: [],
  pingsSent: 0,
  pingsAccepted: 0,
  pingsDropped: 0,
  pingBatches: 0,
  deliveries: 0,
  failedAttempts: 0,
  returned: 0,
  stopsCompleted: 0,
  stopsSkipped: 0,
  routesStarted: 0,
  routesFinished: 0,
  vehiclesDone: 0,
  vehiclesIdle: 0,
  offersAccepted: 0,
  offersDeclined: 0,
  offersUnanswered: 0,
  aborted: [],
  explainedByRerun: 0,
  unexpected: [],
});

/** One command request sent and answered (or not: `network`). */
export const recordAttempt = (stats: WaveStats, status: StatusKey, latencyMs: number): void => {
  stats.commandsSent += 1;
  stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
  if (status !== 'network') stats.latenciesMs.push(latencyMs);
};

export const recordUnexpected = (stats: WaveStats, failure: FailedRequest): void => {
  stats.unexpected.push(failure);
};

/** The p-th percentile (0..100) of some samples, by nearest rank. */
export const percentile = (samples: readonly number[], p: number): number | undefined => {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
