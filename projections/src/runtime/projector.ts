// A projector is a projection run as a stream consumer: each followed event's document updates, applied to
// one generation of the projection's collections, with the stream guard and the transactions of the one
// consumer runtime (stream-consumer.ts). Live projectors, rebuilds and scoped rebuilds all apply events
// through it, so none of them can disagree about what an event does.
import {
  documentKey,
  type DocumentKey,
  type DocumentStore,
  type DocumentWrite,
  type RecordedEvent,
  type Projection,
  type DocumentUpdate,
} from '@meridian/kernel';
import { physicalCollection, streamCheckpoints, type Generation } from './projection.ts';
import { applyThrough, type StreamConsumer, type StreamOutcome } from './stream-consumer.ts';

/** An event and the document updates it makes (none for a followed type the projection does not use). */
export type PlannedEvent = { readonly event: RecordedEvent; readonly updates: readonly DocumentUpdate[] };

const keyOf = (update: DocumentUpdate, generation: Generation): DocumentKey => ({
  collection: physicalCollection(update.collection, generation),
  id: update.id,
});

export const projectorConsumer = (projection: Projection, generation: Generation = projection.version): StreamConsumer<PlannedEvent> => ({
  name: projection.name,
  checkpoints: { collection: streamCheckpoints(projection, generation), start: 'beginning' },
  prepare: (events) =>
    events.map((event) => ({ event, updates: projection.eventTypes.includes(event.type) ? projection.project(event) : [] })),
  keysOf: ({ updates }) => updates.map((update) => keyOf(update, generation)),
  writesOf: ({ updates }, read) => {
    // Updates of one event apply in order: a second update of a document sees the first.
    const written = new Map<string, DocumentWrite>();
    for (const update of updates) {
      const key = keyOf(update, generation);
      const id = documentKey(key);
      const before = written.has(id) ? written.get(id)?.document : read(key);
      written.set(id, { ...key, document: update.update(before) });
    }
    return [...written.values()];
  },
});

/**
 * Applies `events` (in log or delivery order) to a generation of a projection; returns each event's
 * outcome. Each chunk is one transaction: its documents and stream checkpoints land together or not at all.
 */
export const applyEvents = (
  documents: DocumentStore,
  projection: Projection,
  events: readonly RecordedEvent[],
  generation: Generation = projection.version,
): Promise<StreamOutcome[]> => applyThrough(documents, projectorConsumer(projection, generation), events);

/**
 * Creates a generation's collections and, unless told otherwise, the indexes its queries need. A rebuild
 * asks for the indexes only once it is loaded: building an index over loaded rows beats updating it per row.
 */
export const prepareProjection = async (
  documents: DocumentStore,
  projection: Projection,
  generation: Generation = projection.version,
  { withIndexes = true }: { withIndexes?: boolean } = {},
): Promise<void> => {
  for (const [collection, { indexes = [] }] of Object.entries(projection.collections))
    await documents.ensureCollection(physicalCollection(collection, generation), { indexes: withIndexes ? indexes : [] });
};
