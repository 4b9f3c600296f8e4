// The document store in memory, for tests above the port (projection specs, consumers, the query side):
// it passes the same contract suite as SQLite and Firestore, so a test that passes here means the same
// there. Documents are kept as JSON text, so what a test reads back is a copy, never the object written.
import {
  assertCollectionName,
  decodeCursor,
  documentKey,
  encodeCursor,
  type Document,
  type DocumentChange,
  type DocumentQuery,
  type DocumentStore,
  type FieldFilter,
  type Scalar,
} from '../document-store.ts';

/** The stores' sort order: null first, then numbers and booleans (as 0/1), then strings. */
const rank = (value: unknown): number => (value === null || value === undefined ? 0 : typeof value === 'string' ? 2 : 1);
const numeric = (value: unknown): number => (typeof value === 'boolean' ? Number(value) : Number(value));

const compare = (a: unknown, b: unknown): number => {
  const byRank = rank(a) - rank(b);
  if (byRank !== 0 || rank(a) === 0) return byRank;
  if (rank(a) === 1) return numeric(a) - numeric(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
};

const same = (stored: unknown, value: Scalar): boolean =>
  value === null ? stored === null || stored === undefined : compare(stored, value) === 0 && rank(stored) === rank(value);

const matches = (document: Document, filter: FieldFilter): boolean =>
  filter.op === '==' ? same(document[filter.field], filter.value) : filter.value.some((value) => same(document[filter.field], value));

export const createInMemoryDocumentStore = (): DocumentStore => {
  const collections = new Map<string, Map<string, string>>();
  const listeners = new Map<string, Set<(change: DocumentChange) => void>>();
  const collectionOf = (name: string) => {
    assertCollectionName(name);
    let collection = collections.get(name);
    if (collection === undefined) collections.set(name, (collection = new Map()));
    return collection;
  };
  const read = (collection: string, id: string): Document | undefined => {
    const text = collectionOf(collection).get(id);
    return text === undefined ? undefined : (JSON.parse(text) as Document);
  };
  return {
    get: async (collection, id) => read(collection, id),
    query: async (collection, { where = [], orderBy, limit, after }: DocumentQuery) => {
      const sign = orderBy?.direction === 'desc' ? -1 : 1;
      const sortValue = (document: Document) => (orderBy === undefined ? null : document[orderBy.field]);
      const order = (a: { id: string; document: Document }, b: { id: string; document: Document }) =>
        sign * (compare(sortValue(a.document), sortValue(b.document)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const cursor = after === undefined ? undefined : decodeCursor(after);
      const all = [...collectionOf(collection).keys()]
        .map((id) => ({ id, document: read(collection, id)! }))
        .filter(({ document }) => where.every((filter) => matches(document, filter)))
        .sort(order)
        .filter(
          (entry) =>
            cursor === undefined ||
            order(entry, { id: cursor.id, document: orderBy === undefined ? {} : { [orderBy.field]: cursor.value } }) > 0,
        );
      const page = all.slice(0, limit);
      const last = page[page.length - 1];
      return {
        documents: page,
        ...(all.length > limit && last !== undefined && { next: encodeCursor(sortValue(last.document), last.id) }),
      };
    },
    transact: async (keys, compute) => {
      const current = new Map<string, Document>();
      for (const key of keys) {
        const document = read(key.collection, key.id);
        if (document !== undefined) current.set(documentKey(key), document);
      }
      const { writes, result } = compute(current);
      // Serialised before anything is stored: a write that is not JSON fails the whole transaction.
      const texts = writes.map((write) => (write.document === undefined ? undefined : JSON.stringify(write.document)));
      writes.forEach((write, index) => {
        const text = texts[index];
        if (text === undefined) collectionOf(write.collection).delete(write.id);
        else collectionOf(write.collection).set(write.id, text);
      });
      for (const change of writes)
        for (const listener of listeners.get(change.collection) ?? [])
          listener({ collection: change.collection, id: change.id, document: change.document });
      return result;
    },
    watch: (collection, listener, { id } = {}) => {
      const filtered = id === undefined ? listener : (change: DocumentChange) => change.id === id && listener(change);
      const set = listeners.get(collection) ?? new Set();
      set.add(filtered);
      listeners.set(collection, set);
      return () => set.delete(filtered);
    },
    ensureCollection: async (collection) => {
      collectionOf(collection);
    },
    dropCollection: async (collection) => {
      collections.delete(collection);
    },
    close: async () => {
      listeners.clear();
    },
  };
};
