// The webhook documents inside a transaction, typed: a document read from the map `transact` hands over is
// decoded with its collection's codec (one that does not decode is a broken store, a bug: it throws), and a
// write is the collection's document type, so nothing here tells the compiler what it cannot check.
import { decodeDocument, documentKey, type Collection, type Document, type DocumentKey, type DocumentWrite } from '@meridian/kernel';

export const keyIn = <D extends Document>(collection: Collection<D>, id: string): DocumentKey => ({ collection: collection.name, id });

/** The document `id` of `collection` as the transaction read it, decoded; undefined when absent. */
export const readIn = <D extends Document>(
  collection: Collection<D>,
  current: ReadonlyMap<string, Document>,
  id: string,
): D | undefined => {
  const document = current.get(documentKey(keyIn(collection, id)));
  return document === undefined ? undefined : decodeDocument(collection, id, document);
};

/** A write of a document of `collection` (undefined deletes it). */
export const writeIn = <D extends Document>(collection: Collection<D>, id: string, document: D | undefined): DocumentWrite => ({
  ...keyIn(collection, id),
  document,
});
