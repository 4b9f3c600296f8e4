// The cloud document store: one Firestore collection per read-model collection, one document per id, the
// JSON document as its fields (see firestore-json.ts for the few values that need bridging).
import {
  FieldPath,
  Firestore,
  Timestamp,
  type DocumentReference,
  type Query,
  type Settings,
  type Transaction,
} from '@google-cloud/firestore';
import {
  assertCollectionName,
  decodeCursor,
  documentKey,
  encodeCursor,
  silentLogger,
  type Document,
  type DocumentChange,
  type DocumentKey,
  type DocumentQuery,
  type DocumentStore,
  type DocumentWrite,
  type FieldFilter,
  type Logger,
  type QueryPage,
} from '@meridian/kernel';
import { fromFirestoreData, toFirestoreData, toFirestoreValue } from './firestore-json.ts';

export type FirestoreDocumentStoreOptions = {
  /** A client built elsewhere; the store leaves it open on close. Without it the store builds its own. */
  readonly firestore?: Firestore;
  readonly projectId?: string;
  readonly databaseId?: string;
  /** Where a watch that Firestore ends (permission, a deleted database) or a throwing listener is reported. */
  readonly logger?: Logger;
  /**
   * How often a transaction runs before its contention error is returned (the SDK's default: 5, with a
   * backoff from 1 s). Ten transactions on one document all passed with 5 on the emulator.
   */
  readonly maxTransactionAttempts?: number;
};

/** Firestore's limit on the writes of one commit; the runtime keeps to maxWritesPerTransaction (450). */
const firestoreWriteLimit = 500;

/** The same field rule as the SQLite store, so a query that runs on one store runs on the other. */
const fieldPattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const fieldPath = (field: string): FieldPath => {
  if (!fieldPattern.test(field)) throw new Error(`invalid field name "${field}"`);
  // One segment: a dot in a name would otherwise be read as a path into a map.
  return new FieldPath(field);
};

/** A slash would address a document in a subcollection instead of failing. */
const assertDocumentId = (id: string): void => {
  if (id === '' || id.includes('/')) throw new Error(`invalid document id "${id}"`);
};

const settingsOf = ({ projectId, databaseId }: FirestoreDocumentStoreOptions): Settings => ({
  ...(projectId !== undefined && { projectId }),
  ...(databaseId !== undefined && { databaseId }),
});

/** The last write of each document: writing it twice in one commit means the last write wins anyway. */
const lastWritePerDocument = (writes: readonly DocumentWrite[]): DocumentWrite[] => [
  ...new Map(writes.map((write) => [documentKey(write), write])).values(),
];

const uniqueKeys = (keys: readonly DocumentKey[]): DocumentKey[] => [...new Map(keys.map((key) => [documentKey(key), key])).values()];

/** An `in` over no values matches nothing; Firestore refuses it instead. */
const matchesNothing = (where: readonly FieldFilter[]): boolean => where.some((filter) => filter.op === 'in' && filter.value.length === 0);

const applyFilter = (query: Query, filter: FieldFilter): Query =>
  filter.op === '=='
    ? query.where(fieldPath(filter.field), '==', filter.value)
    : query.where(fieldPath(filter.field), 'in', [...filter.value]);

export const createFirestoreDocumentStore = (options: FirestoreDocumentStoreOptions = {}): DocumentStore => {
  const owned = options.firestore === undefined;
  const firestore = options.firestore ?? new Firestore(settingsOf(options));
  const logger = options.logger ?? silentLogger;
  const watchers = new Set<() => void>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('the document store is closed');
  };

  const collectionOf = (collection: string) => {
    assertCollectionName(collection);
    return firestore.collection(collection);
  };

  const referenceOf = ({ collection, id }: DocumentKey): DocumentReference => {
    assertDocumentId(id);
    return collectionOf(collection).doc(id);
  };

  const pageQuery = (collection: string, { where = [], orderBy, limit, after }: DocumentQuery): Query => {
    const direction = orderBy?.direction ?? 'asc';
    const all: Query = collectionOf(collection);
    const filtered = where.reduce(applyFilter, all);
    // The id breaks ties in the same direction, as the SQLite store does; production needs a composite
    // index for each equality + order combination (declared in infra/, never created from here).
    const ordered = (orderBy === undefined ? filtered : filtered.orderBy(fieldPath(orderBy.field), direction)).orderBy(
      FieldPath.documentId(),
      direction,
    );
    const cursor = after === undefined ? undefined : decodeCursor(after);
    const resumed =
      cursor === undefined
        ? ordered
        : orderBy === undefined
          ? ordered.startAfter(cursor.id)
          : ordered.startAfter(toFirestoreValue(cursor.value), cursor.id);
    // One more than asked: it says whether a next page exists without a second round trip.
    return resumed.limit(limit + 1);
  };

  const readForTransaction = async (tx: Transaction, keys: readonly DocumentKey[]): Promise<Map<string, Document>> => {
    const current = new Map<string, Document>();
    if (keys.length === 0) return current;
    const snapshots = await tx.getAll(...keys.map(referenceOf));
    for (const snapshot of snapshots) {
      const data = snapshot.data();
      if (data !== undefined) current.set(documentKey({ collection: snapshot.ref.parent.id, id: snapshot.id }), fromFirestoreData(data));
    }
    return current;
  };

  const stage = (tx: Transaction, writes: readonly DocumentWrite[]) => {
    const final = lastWritePerDocument(writes);
    if (final.length > firestoreWriteLimit)
      throw new Error(`a transaction may hold at most ${firestoreWriteLimit} writes in Firestore, not ${final.length}`);
    for (const write of final) {
      const reference = referenceOf(write);
      if (write.document === undefined) tx.delete(reference);
      else tx.set(reference, toFirestoreData(write.document));
    }
  };

  /** A listener that throws must not end the watch (the SDK would stop it) nor hide other changes. */
  const deliver = (listener: (change: DocumentChange) => void, change: DocumentChange) => {
    try {
      listener(change);
    } catch (error) {
      logger.error('document store watch listener failed', { collection: change.collection, id: change.id, error: String(error) });
    }
  };

  // A listen starts with a snapshot of the state as it stands (the whole collection: billed reads), which is
  // not a change and is skipped, except for the documents it shows written after watch() was called: the
  // listen takes a round trip (a second or more on a cold or busy emulator) to start, and a change committed
  // meanwhile must still be heard. A deletion in that window cannot be told apart from absence and is not
  // heard. The comparison is of the client's clock with Firestore's; with clocks apart, a write just before
  // the call may be heard too, which a watcher of committed state takes in its stride. (The emulator now
  // and then loses a write committed while a listen starts, in any snapshot: no adapter can recover that.)
  const changedSince = (attachedAt: Timestamp, updateTime: Timestamp | undefined) =>
    updateTime !== undefined && updateTime.valueOf() > attachedAt.valueOf();

  const watchCollection = (collection: string, listener: (change: DocumentChange) => void, onError: (error: Error) => void) => {
    const attachedAt = Timestamp.now();
    let initial = true;
    return collectionOf(collection).onSnapshot((snapshot) => {
      const changes = initial
        ? snapshot.docChanges().filter((change) => changedSince(attachedAt, change.doc.updateTime))
        : snapshot.docChanges();
      initial = false;
      for (const change of changes)
        deliver(listener, {
          collection,
          id: change.doc.id,
          document: change.type === 'removed' ? undefined : fromFirestoreData(change.doc.data()),
        });
    }, onError);
  };

  const watchDocument = (collection: string, id: string, listener: (change: DocumentChange) => void, onError: (error: Error) => void) => {
    const attachedAt = Timestamp.now();
    let initial = true;
    return referenceOf({ collection, id }).onSnapshot((snapshot) => {
      const skipped = initial && !changedSince(attachedAt, snapshot.updateTime);
      initial = false;
      if (skipped) return;
      const data = snapshot.data();
      deliver(listener, { collection, id, document: data === undefined ? undefined : fromFirestoreData(data) });
    }, onError);
  };

  return {
    // Firestore takes 500 writes a commit; 450 leaves room for the runtime's checkpoints.
    maxWritesPerTransaction: 450,
    get: async (collection, id) => {
      assertOpen();
      const data = (await referenceOf({ collection, id }).get()).data();
      return data === undefined ? undefined : fromFirestoreData(data);
    },

    query: async (collection, query): Promise<QueryPage> => {
      assertOpen();
      if (matchesNothing(query.where ?? [])) return { documents: [] };
      const snapshot = await pageQuery(collection, query).get();
      const documents = snapshot.docs.slice(0, query.limit).map((doc) => ({ id: doc.id, document: fromFirestoreData(doc.data()) }));
      const last = documents[documents.length - 1];
      const orderField = query.orderBy?.field;
      return {
        documents,
        ...(snapshot.size > query.limit &&
          last !== undefined && { next: encodeCursor(orderField === undefined ? last.id : last.document[orderField], last.id) }),
      };
    },

    transact: async (keys, compute) => {
      assertOpen();
      const unique = uniqueKeys(keys);
      // compute runs again when Firestore retries on contention; the port allows it (compute is pure).
      return firestore.runTransaction(
        async (tx) => {
          const { writes, result } = compute(await readForTransaction(tx, unique));
          stage(tx, writes);
          return result;
        },
        options.maxTransactionAttempts === undefined ? {} : { maxAttempts: options.maxTransactionAttempts },
      );
    },

    watch: (collection, listener, { id } = {}) => {
      assertOpen();
      const onError = (error: Error) => {
        // Firestore ends a listen only for errors it will not retry; the watcher hears nothing more.
        logger.error('document store watch ended', { collection, ...(id !== undefined && { id }), error: error.message });
        watchers.delete(stop);
      };
      const unsubscribe =
        id === undefined ? watchCollection(collection, listener, onError) : watchDocument(collection, id, listener, onError);
      const stop = () => {
        watchers.delete(stop);
        unsubscribe();
      };
      watchers.add(stop);
      return stop;
    },

    // Firestore creates collections on first write, and the composite indexes the queries need are
    // managed by Terraform in infra/ (the emulator does not enforce them), so there is nothing to do here.
    ensureCollection: async (collection) => {
      assertOpen();
      assertCollectionName(collection);
    },

    dropCollection: async (collection) => {
      assertOpen();
      // A BulkWriter underneath, ramping up from 500 deletes/s as Firestore asks of large writes.
      await firestore.recursiveDelete(collectionOf(collection));
    },

    close: async () => {
      if (closed) return;
      closed = true;
      for (const stop of watchers) stop();
      if (owned) await firestore.terminate();
    },
  };
};
