// The heart of the projector, pure: given the documents and stream checkpoints as they are, decide for each
// event whether it applies, was applied before, or must wait for a missing earlier revision; and compute
// the writes that apply it. Documents and checkpoints are written together, so they cannot disagree.
import { documentKey, type Document, type DocumentKey, type DocumentWrite, type RecordedEvent } from '@meridian/kernel';
import { physicalCollection, streamCheckpoints, type DocumentUpdate, type Generation, type Projection, type StreamCheckpoint } from './projection.ts';

/** applied: changed documents; ignored: a followed event this projection does not use; duplicate: seen
 * before; gap: an earlier revision of its stream has not been applied yet. */
export type Outcome = 'applied' | 'ignored' | 'duplicate' | 'gap';

export type PlannedEvent = { readonly event: RecordedEvent; readonly updates: readonly DocumentUpdate[] };

export const planEvents = (projection: Projection, events: readonly RecordedEvent[]): PlannedEvent[] =>
  events.map((event) => ({ event, updates: projection.eventTypes.includes(event.type) ? projection.project(event) : [] }));

const checkpointKey = (projection: Projection, generation: Generation, streamId: string): DocumentKey => ({
  collection: streamCheckpoints(projection, generation),
  id: streamId,
});

/** Every document the plan may read: the stream checkpoints and each update's target. */
export const keysOf = (projection: Projection, generation: Generation, planned: readonly PlannedEvent[]): DocumentKey[] => {
  const keys = new Map<string, DocumentKey>();
  const add = (key: DocumentKey) => keys.set(documentKey(key), key);
  for (const { event, updates } of planned) {
    add(checkpointKey(projection, generation, event.streamId));
    for (const update of updates) add({ collection: physicalCollection(update.collection, generation), id: update.id });
  }
  return [...keys.values()];
};

export const decideWrites = (
  projection: Projection,
  generation: Generation,
  planned: readonly PlannedEvent[],
  current: ReadonlyMap<string, Document>,
): { writes: DocumentWrite[]; outcomes: Outcome[] } => {
  const documents = new Map<string, { key: DocumentKey; document: Document | undefined }>();
  const checkpoints = new Map<string, StreamCheckpoint>();
  const blocked = new Set<string>();
  const lastRevision = (streamId: string) =>
    checkpoints.get(streamId)?.revision ??
    (current.get(documentKey(checkpointKey(projection, generation, streamId))) as StreamCheckpoint | undefined)?.revision ??
    -1;
  const apply = (update: DocumentUpdate) => {
    const key = { collection: physicalCollection(update.collection, generation), id: update.id };
    const id = documentKey(key);
    const before = documents.has(id) ? documents.get(id)?.document : current.get(id);
    documents.set(id, { key, document: update.update(before) });
  };
  const outcomes = planned.map(({ event, updates }): Outcome => {
    if (blocked.has(event.streamId)) return 'gap';
    const last = lastRevision(event.streamId);
    if (event.streamRevision <= last) return 'duplicate';
    if (event.streamRevision > last + 1) {
      blocked.add(event.streamId);
      return 'gap';
    }
    checkpoints.set(event.streamId, { revision: event.streamRevision, globalPosition: event.globalPosition });
    updates.forEach(apply);
    return updates.length === 0 ? 'ignored' : 'applied';
  });
  const writes: DocumentWrite[] = [
    ...[...documents.values()].map(({ key, document }) => ({ ...key, document })),
    ...[...checkpoints].map(([streamId, checkpoint]) => ({ ...checkpointKey(projection, generation, streamId), document: checkpoint })),
  ];
  return { writes, outcomes };
};
