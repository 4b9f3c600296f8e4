// Read models as data and pure functions: a projection is how each event changes documents of its
// collections (collection.ts: name, codec, indexes). The consumer runtime (@meridian/projections) does the
// I/O; the testing kit folds events through a projection without any (testing/projection-spec.ts).
import type { Collection } from './collection.ts';
import type { Document } from './document-store.ts';
import type { RecordedEvent } from './envelope.ts';

/** How one event changes one document: a pure function of the document as it is (undefined: absent). */
export type DocumentUpdate = {
  /** A collection of the projection, by its logical name (the runtime adds the generation). */
  readonly collection: string;
  readonly id: string;
  /** Returns the new document, or undefined to delete it. */
  readonly update: (current: Document | undefined) => Document | undefined;
};

/**
 * A typed update of a document of `collection`. The document handed to `change` is what this collection's
 * own updates wrote (nothing else writes a read model), so it is its type without decoding it again on the
 * hot path of every projector and rebuild; the query edge decodes what it serves.
 */
export const updateOf = <D extends Document>(
  collection: Collection<D>,
  id: string,
  change: (current: D | undefined) => D | undefined,
): DocumentUpdate => ({
  collection: collection.name,
  id,
  update: (current) => change(current as D | undefined),
});

/**
 * A change of a document that must already exist. Absent stays absent: like a decider's evolve, a fact that
 * does not fit (no registration seen) changes nothing rather than inventing a half-empty document.
 */
export const whenPresent =
  <D>(change: (current: D) => D) =>
  (current: D | undefined): D | undefined =>
    current === undefined ? undefined : change(current);

export type Projection = {
  /** Stable name, for checkpoints and logs: `parcel-status`. */
  readonly name: string;
  /** Bumped when the projection's output changes; a new version is built beside the old one (blue/green). */
  readonly version: number;
  /** The collections it writes, by logical name. */
  readonly collections: Readonly<Record<string, Collection<Document>>>;
  /** Every wire type of every stream it follows (a followed stream is seen whole, so gaps show). */
  readonly eventTypes: readonly string[];
  readonly project: (event: RecordedEvent) => readonly DocumentUpdate[];
};

/** The documents of a projection as collections of documents by id. */
export type ProjectedDocuments = ReadonlyMap<string, ReadonlyMap<string, Document>>;

/**
 * Folds events, in order, through a projection from the given documents (none by default): what its
 * runtime writes for the same events in the same order, without stores, guards or generations.
 */
export const projectAll = (
  projection: Projection,
  events: readonly RecordedEvent[],
  from: ProjectedDocuments = new Map(),
): ProjectedDocuments => {
  const documents = new Map([...from].map(([name, byId]) => [name, new Map(byId)]));
  for (const event of events) {
    if (!projection.eventTypes.includes(event.type)) continue;
    for (const { collection: name, id, update } of projection.project(event)) {
      const byId = documents.get(name) ?? new Map<string, Document>();
      documents.set(name, byId);
      const next = update(byId.get(id));
      if (next === undefined) byId.delete(id);
      else byId.set(id, next);
    }
  }
  return documents;
};
