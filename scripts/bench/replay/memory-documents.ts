// A Map-backed DocumentStore for the in-memory rebuild: one Map per collection, documents kept as the
// objects the projection returns (projections never mutate a document, they return a new one), so the
// figure is the runtime's own per-event work with no storage cost under it.
import {
  decodeCursor,
  documentKey,
  encodeCursor,
  type Document,
  type DocumentChange,
  type DocumentQuery,
  type DocumentStore,
} from '@meridian/kernel';

/** Absent and null first, then numbers and booleans, then strings (the order the SQLite store sorts in). */
const rank = (value: unknown) => (value === null || value === undefined ? 0 : typeof value === 'string' ? 2 : 1);
const compare = (a: unknown, b: unknown): number => {
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a === b || rank(a) === 0) return 0;
  return rank(a) === 2 ? (String(a) < String(b) ? -1 : 1) : Number(a) - Number(b);
};

export const createMemoryDocumentStore = (): DocumentStore => {
  const collections = new Map<string, Map<string, Document>>();
  const listeners = new Map<string, Set<(change: DocumentChange) => void>>();
  const collectionOf = (name: string) => {
    let collection = collections.get(name);
    if (collection === undefined) collections.set(name, (collection = new Map()));
    return collection;
  };

  const query = async (name: string, { where = [], orderBy, limit, after }: DocumentQuery) => {
    const matches = [...collectionOf(name)]
      .filter(([, document]) =>
        where.every((f) => (f.op === '==' ? document[f.field] === f.value : f.value.some((value) => value === document[f.field]))),
      )
      .map(([id, document]) => ({ id, document, sort: orderBy === undefined ? id : document[orderBy.field] }))
      .sort((a, b) => (orderBy?.direction === 'desc' ? -1 : 1) * (compare(a.sort, b.sort) || compare(a.id, b.id)));
    const cursor = after === undefined ? undefined : decodeCursor(after);
    const start = cursor === undefined ? 0 : matches.findIndex((m) => m.id === cursor.id) + 1;
    const page = matches.slice(start, start + limit);
    const last = page[page.length - 1];
    return {
      documents: page.map(({ id, document }) => ({ id, document })),
      ...(start + limit < matches.length && last !== undefined && { next: encodeCursor(last.sort, last.id) }),
    };
  };

  return {
    get: async (collection, id) => collections.get(collection)?.get(id),
    query,
    transact: async (keys, compute) => {
      const current = new Map<string, Document>();
      for (const key of keys) {
        const document = collections.get(key.collection)?.get(key.id);
        if (document !== undefined) current.set(documentKey(key), document);
      }
      const { writes, result } = compute(current);
      for (const { collection, id, document } of writes) {
        if (document === undefined) collections.get(collection)?.delete(id);
        else collectionOf(collection).set(id, document);
        for (const listener of listeners.get(collection) ?? []) listener({ collection, id, document });
      }
      return result;
    },
    watch: (collection, listener, { id } = {}) => {
      const filtered = id === undefined ? listener : (change: DocumentChange) => change.id === id && listener(change);
      const set = listeners.get(collection) ?? new Set();
      set.add(filtered);
      listeners.set(collection, set);
      return () => set.delete(filtered);
    },
    ensureCollection: async (collection) => void collectionOf(collection),
    dropCollection: async (collection) => void collections.delete(collection),
    close: async () => {
      listeners.clear();
    },
  };
};
