// Scoped rebuilds: recompute the documents of some streams (one stream, a stream prefix, or the streams
// with events in a time window) from their whole history, and merge them into the live generation. Each
// stream is one transaction: its documents and its checkpoint are replaced together, and if the live
// projector applied a newer event meanwhile the stream is read again, so nothing it applied is undone.
//
// Every projection here gives each document exactly one source stream (a vehicle's load is one document
// per parcel), which is what makes a stream's documents recomputable on their own.
import { documentKey, type DocumentStore, type EventStore, type Logger, type RecordedEvent, type Projection } from '@meridian/kernel';
import { readGenerations } from './generations.ts';
import { projectorConsumer } from './projector.ts';
import { decideChunk, streamCheckpointsOf } from './stream-consumer.ts';

export type ReplayScope =
  | { readonly kind: 'stream'; readonly streamId: string }
  | { readonly kind: 'prefix'; readonly streamPrefix: string }
  | { readonly kind: 'window'; readonly from: string; readonly to: string };

export type ScopedDeps = {
  readonly log: EventStore;
  readonly documents: DocumentStore;
  readonly projection: Projection;
  readonly logger: Logger;
  readonly onProgress?: (done: number, total: number) => void;
};

const inWindow = (event: RecordedEvent, from: number, to: number) => {
  const at = Date.parse(event.recordedAt);
  return at >= from && at < to;
};

/** The streams a scope names, found by reading the log once (filtered to the projection's types). */
export const streamsInScope = async (
  { log, projection }: Pick<ScopedDeps, 'log' | 'projection'>,
  scope: ReplayScope,
): Promise<string[]> => {
  if (scope.kind === 'stream') return [scope.streamId];
  const found = new Set<string>();
  const from = scope.kind === 'window' ? Date.parse(scope.from) : 0;
  const to = scope.kind === 'window' ? Date.parse(scope.to) : 0;
  let after = 0;
  for (;;) {
    const batch = await log.readAll({
      after,
      batchSize: 5_000,
      filter: { eventTypes: projection.eventTypes, ...(scope.kind === 'prefix' && { streamPrefix: scope.streamPrefix }) },
    });
    for (const event of batch.events) if (scope.kind === 'prefix' || inWindow(event, from, to)) found.add(event.streamId);
    if (batch.endOfLog) return [...found];
    after = batch.position;
  }
};

type Outcome = 'rebuilt' | 'moved-on';

/** One stream's documents recomputed from nothing and written over the live ones, if nothing newer landed. */
const rebuildStream = async (deps: ScopedDeps, generation: string, streamId: string): Promise<Outcome> => {
  const { documents, projection } = deps;
  const consumer = projectorConsumer(projection, generation);
  const history = (await deps.log.readStream(streamId)).filter((event) => projection.eventTypes.includes(event.type));
  const planned = (await consumer.prepare(history)).map((item) => ({ event: item.event, item }));
  const checkpoints = streamCheckpointsOf(consumer);
  const keys = [
    checkpoints.key(streamId),
    ...new Map(planned.flatMap(({ item }) => consumer.keysOf(item)).map((key) => [documentKey(key), key])).values(),
  ];
  const last = history[history.length - 1]?.streamRevision ?? -1;
  return documents.transact(keys, (current) => {
    const applied = checkpoints.read(current, streamId)?.revision;
    if (applied !== undefined && applied > last) return { writes: [], result: 'moved-on' as const };
    // From nothing: the documents are what the stream's own history makes of them.
    const { writes } = decideChunk(consumer, planned, new Map());
    const written = new Set(writes.map(documentKey));
    const cleared = keys.filter((key) => !written.has(documentKey(key))).map((key) => ({ ...key, document: undefined }));
    return { writes: [...writes, ...cleared], result: 'rebuilt' as const };
  });
};

export const rebuildScope = async (
  deps: ScopedDeps,
  scope: ReplayScope,
): Promise<{ readonly generation: string; readonly streams: number; readonly rebuilt: number }> => {
  const { live: generation } = await readGenerations(deps.documents, deps.projection);
  const streams = await streamsInScope(deps, scope);
  let rebuilt = 0;
  for (const [index, streamId] of streams.entries()) {
    // A stream the live projector moved past while we read it is read again: its newer events must count.
    for (let attempt = 0; attempt < 5; attempt++) if ((await rebuildStream(deps, generation, streamId)) === 'rebuilt') break;
    rebuilt++;
    deps.onProgress?.(index + 1, streams.length);
  }
  deps.logger.info('scoped rebuild done', { projection: deps.projection.name, generation, scope, streams: streams.length });
  return { generation, streams: streams.length, rebuilt };
};
