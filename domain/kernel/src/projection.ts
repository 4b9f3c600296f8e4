// Read models as data and pure functions. A collection is a name, the indexes its queries need, and the
// codec of its documents; a projection is how each event changes documents of its collections. The
// consumer runtime (@meridian/projections) does the I/O; the testing kit folds events through a projection
// without any (testing/projection-spec.ts).
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { fieldErrors, jsonSchemaOf, type JsonSchema } from './codecs.ts';
import type { Document, DocumentStore, IndexDefinition, QueryPage, DocumentQuery } from './document-store.ts';
import type { RecordedEvent } from './envelope.ts';

/** What a collection needs of its codec: to read stored documents (never to write them: writes are typed). */
export type DocumentCodec<D> = Pick<t.Type<D, unknown, unknown>, 'name' | 'is' | 'validate' | 'decode'>;

export type Collection<D extends Document> = {
  /** The logical name (a projection's runtime adds its generation: `parcels_v1`). */
  readonly name: string;
  readonly codec: DocumentCodec<D>;
  /** The composite indexes its queries need (equality fields first, then the order field). */
  readonly indexes: readonly IndexDefinition[];
  /** The JSON Schema of its documents, for the API description. */
  readonly schema: JsonSchema;
};

export const collection = <D extends Document>(
  name: string,
  codec: t.Type<D, unknown, unknown>,
  { indexes = [] }: { readonly indexes?: readonly IndexDefinition[] } = {},
): Collection<D> => ({
  name,
  codec,
  indexes,
  schema: jsonSchemaOf(codec),
});

/**
 * A stored document as its collection's type. Read models are written only through their collection's
 * typed updates, so a document that does not decode is a broken read model (a bug, or a store edited by
 * hand), never bad input: it throws.
 */
export const decodeDocument = <D extends Document>(collection: Pick<Collection<D>, 'name' | 'codec'>, id: string, document: unknown): D => {
  const decoded = collection.codec.decode(document);
  if (E.isLeft(decoded))
    throw new Error(
      `${collection.name}/${id} is not a ${collection.codec.name}: ${fieldErrors(decoded.left)
        .map((e) => `${e.pointer} ${e.detail}`)
        .join('; ')}`,
    );
  return decoded.right;
};

/** Typed reads of one collection of a store (under the physical name a generation gives it). */
export type TypedCollection<D extends Document> = {
  readonly get: (id: string) => Promise<D | undefined>;
  readonly query: (
    query: DocumentQuery,
  ) => Promise<{ readonly documents: readonly { readonly id: string; readonly document: D }[]; readonly next?: string }>;
};

export const typedCollection = <D extends Document>(
  store: DocumentStore,
  collection: Collection<D>,
  physicalName: string = collection.name,
): TypedCollection<D> => {
  const read = (id: string, document: unknown) => decodeDocument({ name: physicalName, codec: collection.codec }, id, document);
  return {
    get: async (id) => {
      const document = await store.get(physicalName, id);
      return document === undefined ? undefined : read(id, document);
    },
    query: async (query) => {
      const page: QueryPage = await store.query(physicalName, query);
      return {
        documents: page.documents.map(({ id, document }) => ({ id, document: read(id, document) })),
        ...(page.next !== undefined && { next: page.next }),
      };
    },
  };
};

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
