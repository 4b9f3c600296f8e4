// Typed documents. Every document read or written through the DocumentStore port belongs to a collection:
// a name, the codec of its documents and the indexes its queries need. Writes are typed (the compiler
// checks them), reads decode (a stored document that does not decode is a broken store, a bug: it throws
// with its path). Read models, checkpoints, dead letters and the generations record all go through here.
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { fieldErrors, jsonSchemaOf, type JsonSchema } from './codecs.ts';
import {
  documentKey,
  type Document,
  type DocumentKey,
  type DocumentQuery,
  type DocumentStore,
  type DocumentWrite,
  type IndexDefinition,
} from './document-store.ts';

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
 * A stored document as its collection's type. Documents are written only through their collection's typed
 * writes, so one that does not decode is a broken store (a bug, or a store edited by hand), never bad
 * input: it throws.
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

/**
 * The documents of one collection inside a transaction, under the physical name a generation or a
 * consumer gives it: the keys to read, the documents read (decoded), the writes (typed). No store: the
 * pure `compute` of a `transact` uses it.
 */
export type CollectionDocuments<D extends Document> = {
  /** Where the documents live (the physical name). */
  readonly name: string;
  readonly key: (id: string) => DocumentKey;
  /** The document `id` as a transaction read it (the map `transact` hands to `compute`), decoded. */
  readonly read: (current: ReadonlyMap<string, Document>, id: string) => D | undefined;
  /** Writes `document` (undefined deletes it). */
  readonly write: (id: string, document: D | undefined) => DocumentWrite;
};

export const collectionDocuments = <D extends Document>(
  collection: Pick<Collection<D>, 'name' | 'codec'>,
  physicalName: string = collection.name,
): CollectionDocuments<D> => {
  const named = { name: physicalName, codec: collection.codec };
  return {
    name: physicalName,
    key: (id) => ({ collection: physicalName, id }),
    read: (current, id) => {
      const document = current.get(documentKey({ collection: physicalName, id }));
      return document === undefined ? undefined : decodeDocument(named, id, document);
    },
    write: (id, document) => ({ collection: physicalName, id, document }),
  };
};

/** A page of a collection's documents, decoded. */
export type TypedPage<D extends Document> = {
  readonly documents: readonly { readonly id: string; readonly document: D }[];
  readonly next?: string;
};

/** One collection of a store, typed: reads decode, writes are checked by the compiler. */
export type TypedCollection<D extends Document> = CollectionDocuments<D> & {
  readonly get: (id: string) => Promise<D | undefined>;
  readonly query: (query: DocumentQuery) => Promise<TypedPage<D>>;
  /** Writes (or, with undefined, deletes) documents in one transaction. */
  readonly put: (documents: readonly { readonly id: string; readonly document: D | undefined }[]) => Promise<void>;
  /** Calls `listener` with each committed change (of one document, with `id`), decoded (undefined: deleted). */
  readonly watch: (
    listener: (change: { readonly id: string; readonly document: D | undefined }) => void,
    options?: { readonly id?: string },
  ) => () => void;
};

export const typedCollection = <D extends Document>(
  store: DocumentStore,
  collection: Pick<Collection<D>, 'name' | 'codec'>,
  physicalName: string = collection.name,
): TypedCollection<D> => {
  const named = { name: physicalName, codec: collection.codec };
  const documents = collectionDocuments(collection, physicalName);
  return {
    ...documents,
    get: async (id) => {
      const document = await store.get(physicalName, id);
      return document === undefined ? undefined : decodeDocument(named, id, document);
    },
    query: async (query) => {
      const page = await store.query(physicalName, query);
      return {
        documents: page.documents.map(({ id, document }) => ({ id, document: decodeDocument(named, id, document) })),
        ...(page.next !== undefined && { next: page.next }),
      };
    },
    put: async (written) => {
      if (written.length === 0) return;
      await store.transact([], () => ({ writes: written.map(({ id, document }) => documents.write(id, document)), result: undefined }));
    },
    watch: (listener, options) =>
      store.watch(
        physicalName,
        ({ id, document }) => listener({ id, document: document === undefined ? undefined : decodeDocument(named, id, document) }),
        options,
      ),
  };
};
