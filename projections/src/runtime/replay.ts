// Rebuilding a projection from the log, blue/green: into a new generation beside the live one (queries keep
// reading the live one), resumable from its own checkpoint, then switched atomically, then caught up past
// whatever the live projector applied to the old generation until it noticed the switch.
import { collection, struct, typedCollection, type DocumentStore, type EventStore, type Logger, type Projection } from '@meridian/kernel';
import * as t from 'io-ts';
import { applyEvents, prepareProjection } from './projector.ts';
import { collectionsOfGeneration, ensureGenerations, nextGeneration, readGenerations, updateGenerations } from './generations.ts';

/** How far a replay has built a generation: the log position it finished, and the events it applied. */
export const ReplayCheckpoint = struct('ReplayCheckpoint', { position: t.number, events: t.number, updatedAt: t.string });
export type ReplayCheckpoint = t.TypeOf<typeof ReplayCheckpoint>;

/** One checkpoint per generation a replay builds (`parcel-status_v2r1`), so an interrupted one resumes. */
export const replayCheckpoints = collection('replay-checkpoints', ReplayCheckpoint);

export type ReplayProgress = {
  readonly position: number;
  readonly head: number;
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly etaSeconds?: number;
};

/** Where a catch-up started, and where it is after `seconds`. */
export type CatchUpSpan = {
  readonly start: { readonly position: number; readonly events: number };
  readonly now: { readonly position: number; readonly events: number };
  readonly head: number;
  readonly seconds: number;
};

/**
 * The progress shown. The ETA compares log positions with log positions: the distance left to the head over
 * the distance covered per second. Positions are not event counts in every store (EventStoreDB's are byte
 * offsets in its log), and a filtered read passes events it does not apply, so events per second, the rate
 * shown, cannot measure a distance in positions.
 */
export const replayProgressOf = ({ start, now, head, seconds }: CatchUpSpan): ReplayProgress => {
  const eventsPerSecond = seconds > 0 ? (now.events - start.events) / seconds : 0;
  const positionsPerSecond = seconds > 0 ? (now.position - start.position) / seconds : 0;
  const remaining = Math.max(0, head - now.position);
  return {
    position: now.position,
    head: Math.max(head, now.position),
    events: now.events,
    eventsPerSecond,
    ...(positionsPerSecond > 0 && { etaSeconds: remaining / positionsPerSecond }),
  };
};

export type ReplayDeps = {
  readonly log: EventStore;
  readonly documents: DocumentStore;
  readonly projection: Projection;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Events read per batch (default 2,000). */
  readonly batchSize?: number;
};

const checkpointId = (projection: Projection, generation: string) => `${projection.name}_${generation}`;

/** Big batches where the store takes big transactions (each document is then written once per batch). */
const batchSizeFor = (documents: DocumentStore) => ((documents.maxWritesPerTransaction ?? 450) > 450 ? 10_000 : 2_000);

const loadCheckpoint = async (documents: DocumentStore, projection: Projection, generation: string): Promise<ReplayCheckpoint> =>
  (await typedCollection(documents, replayCheckpoints).get(checkpointId(projection, generation))) ?? {
    position: 0,
    events: 0,
    updatedAt: '',
  };

const saveCheckpoint = (documents: DocumentStore, projection: Projection, generation: string, checkpoint: ReplayCheckpoint) =>
  typedCollection(documents, replayCheckpoints).put([{ id: checkpointId(projection, generation), document: checkpoint }]);

/**
 * Applies the log to a generation from its replay checkpoint to the head, batch by batch. The checkpoint
 * is saved after each batch; a batch applied again after an interruption is absorbed by the per-stream
 * checkpoints, so resuming never applies anything twice. Returns where it stopped.
 */
export const catchUp = async (deps: ReplayDeps, generation: string): Promise<ReplayCheckpoint> => {
  const { log, documents, projection } = deps;
  let checkpoint = await loadCheckpoint(documents, projection, generation);
  const started = performance.now();
  const start = checkpoint;
  const head = await log.headPosition();
  for (;;) {
    if (deps.signal?.aborted) return checkpoint;
    const batch = await log.readAll({
      after: checkpoint.position,
      batchSize: deps.batchSize ?? batchSizeFor(documents),
      filter: { eventTypes: projection.eventTypes },
    });
    if (batch.events.length > 0) await applyEvents(documents, projection, batch.events, generation);
    if (batch.position > checkpoint.position) {
      checkpoint = { position: batch.position, events: checkpoint.events + batch.events.length, updatedAt: new Date().toISOString() };
      await saveCheckpoint(documents, projection, generation, checkpoint);
    }
    deps.onProgress?.(replayProgressOf({ start, now: checkpoint, head, seconds: (performance.now() - started) / 1000 }));
    if (batch.endOfLog) return checkpoint;
  }
};

export type ReplayOptions = {
  /** Build, compare with the live generation, and drop the build: nothing switches. */
  readonly dryRun?: boolean;
  /** How long to wait after the switch for a live projector to acknowledge it (default 3 s). */
  readonly settleMs?: number;
};

export type ReplayResult = {
  readonly projection: string;
  readonly generation: string;
  readonly previous: string;
  readonly events: number;
  readonly position: number;
  readonly switched: boolean;
};

/** Starts (or resumes) a new generation of the code's version and builds it to the head of the log. */
export const buildNextGeneration = async (
  deps: ReplayDeps,
): Promise<{ generation: string; live: string; checkpoint: ReplayCheckpoint }> => {
  const record = await ensureGenerations(deps.documents, deps.projection);
  const generation = record.building ?? nextGeneration(deps.projection, record);
  if (record.building === undefined) await updateGenerations(deps.documents, deps.projection, (r) => ({ ...r, building: generation }));
  await prepareProjection(deps.documents, deps.projection, generation, { withIndexes: false });
  deps.logger.info('replay building', { projection: deps.projection.name, generation, live: record.live });
  const checkpoint = await catchUp(deps, generation);
  return { generation, live: record.live, checkpoint };
};

/** Drops every collection of a generation, and its replay checkpoint. */
export const dropGeneration = async (documents: DocumentStore, projection: Projection, generation: string): Promise<void> => {
  for (const collection of collectionsOfGeneration(projection, generation)) await documents.dropCollection(collection);
  await typedCollection(documents, replayCheckpoints).put([{ id: checkpointId(projection, generation), document: undefined }]);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Makes a built generation live, atomically, then catches it up past everything the live projector
 * applied to the old generation before it noticed: the position it acknowledges, or the head once it
 * has had time to finish a batch in flight.
 */
export const switchTo = async (
  deps: ReplayDeps,
  generation: string,
  { settleMs = 3_000 }: ReplayOptions = {},
): Promise<ReplayCheckpoint> => {
  const { documents, projection } = deps;
  const before = await readGenerations(documents, projection);
  await prepareProjection(documents, projection, generation);
  await catchUp(deps, generation);
  await updateGenerations(documents, projection, (record) => {
    const { building: _building, acknowledged: _acknowledged, ...rest } = record;
    return {
      ...rest,
      live: generation,
      retired: [...new Set([record.live, ...record.retired])].filter((g) => g !== generation),
      switchedAt: new Date().toISOString(),
    };
  });
  deps.logger.info('replay switched', { projection: projection.name, from: before.live, to: generation });
  const deadline = Date.now() + settleMs;
  let acknowledged: number | undefined;
  while (Date.now() < deadline && acknowledged === undefined) {
    const record = await readGenerations(documents, projection);
    if (record.acknowledged?.generation === generation) acknowledged = record.acknowledged.maxPositionBefore;
    else await sleep(100);
  }
  let checkpoint = await catchUp(deps, generation);
  while (acknowledged !== undefined && checkpoint.position < acknowledged) checkpoint = await catchUp(deps, generation);
  return checkpoint;
};

/** The whole replay: build, then switch (or, for a dry run, compare and drop). */
export const replay = async (deps: ReplayDeps, options: ReplayOptions = {}): Promise<ReplayResult & { readonly built: string }> => {
  const { generation, live, checkpoint } = await buildNextGeneration(deps);
  if (deps.signal?.aborted)
    return {
      projection: deps.projection.name,
      generation,
      built: generation,
      previous: live,
      events: checkpoint.events,
      position: checkpoint.position,
      switched: false,
    };
  if (options.dryRun)
    return {
      projection: deps.projection.name,
      generation: live,
      built: generation,
      previous: live,
      events: checkpoint.events,
      position: checkpoint.position,
      switched: false,
    };
  const final = await switchTo(deps, generation, options);
  return {
    projection: deps.projection.name,
    generation,
    built: generation,
    previous: live,
    events: final.events,
    position: final.position,
    switched: true,
  };
};

/** Forgets a dry run's build. */
export const abandonBuild = async (deps: Pick<ReplayDeps, 'documents' | 'projection'>, generation: string): Promise<void> => {
  await dropGeneration(deps.documents, deps.projection, generation);
  await updateGenerations(deps.documents, deps.projection, (record) => {
    const { building: _building, ...rest } = record;
    return rest;
  });
};

/** Drops the generations kept after switches. */
export const cleanup = async (deps: Pick<ReplayDeps, 'documents' | 'projection' | 'logger'>): Promise<readonly string[]> => {
  const record = await readGenerations(deps.documents, deps.projection);
  for (const generation of record.retired) await dropGeneration(deps.documents, deps.projection, generation);
  await updateGenerations(deps.documents, deps.projection, (r) => ({ ...r, retired: [] }));
  deps.logger.info('replay cleanup', { projection: deps.projection.name, dropped: record.retired });
  return record.retired;
};
