// The document store port: where read models live (Firestore in the cloud, SQLite embedded). Every
// adapter passes the same contract suite (testing/document-store-contract.ts).

/** A read model document: JSON values only. */
export type Document = { readonly [field: string]: unknown };

export type DocumentKey = { readonly collection: string; readonly id: string };

/** A write inside a transaction: `document` undefined deletes. */
export type DocumentWrite = DocumentKey & { readonly document: Document | undefined };

export type Scalar = string | number | boolean | null;

export const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** A JSON object: what a store may hold as a document (a store reading its own text back checks this much). */
export const isDocument = (value: unknown): value is Document => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Equality on a top-level field; `in` matches any of up to 30 values (Firestore's limit). */
export type FieldFilter =
  | { readonly field: string; readonly op: '=='; readonly value: Scalar }
  | { readonly field: string; readonly op: 'in'; readonly value: readonly Scalar[] };

export type DocumentQuery = {
  readonly where?: readonly FieldFilter[];
  /** Sorts by this field, then by id; pages continue after the cursor of the previous page. */
  readonly orderBy?: { readonly field: string; readonly direction: 'asc' | 'desc' };
  readonly limit: number;
  readonly after?: string;
};

export type QueryPage = {
  readonly documents: readonly { readonly id: string; readonly document: Document }[];
  /** The cursor of the next page, absent on the last one. */
  readonly next?: string;
};

export type DocumentChange = { readonly collection: string; readonly id: string; readonly document: Document | undefined };

/** A composite index a query needs: equality fields first, then the order field. */
export type IndexDefinition = readonly string[];

/**
 * The field a document's expiry is written in (an ISO instant): stores with a native TTL keep it as their
 * own time type so a TTL policy on it deletes the document after it (Firestore: a Timestamp); reads give the
 * ISO instant back. Stores without one (SQLite) keep it as written.
 */
export const expiryField = 'expireAt';

/** The most writes one transaction may hold (Firestore allows 500; a margin stays for checkpoints). */
export const maxWritesPerTransaction = 450;

export type DocumentStore = {
  /**
   * The most writes one transaction of this store should hold: Firestore allows 500 (450 leaves room),
   * SQLite far more, and bigger transactions are what make rebuilds fast.
   */
  readonly maxWritesPerTransaction?: number;
  readonly get: (collection: string, id: string) => Promise<Document | undefined>;
  readonly query: (collection: string, query: DocumentQuery) => Promise<QueryPage>;
  /**
   * Reads `keys`, hands them to `compute`, and writes what it returns, all atomically: either every write
   * lands or none does. `compute` is pure and may run again if the store retries on contention.
   */
  readonly transact: <R>(
    keys: readonly DocumentKey[],
    compute: (current: ReadonlyMap<string, Document>) => { readonly writes: readonly DocumentWrite[]; readonly result: R },
  ) => Promise<R>;
  /** Calls `listener` after every committed change to the collection (or to one document of it). */
  readonly watch: (collection: string, listener: (change: DocumentChange) => void, options?: { readonly id?: string }) => () => void;
  /** Prepares a collection: the indexes its queries need (a no-op where indexes are managed elsewhere). */
  readonly ensureCollection: (collection: string, options?: { readonly indexes?: readonly IndexDefinition[] }) => Promise<void>;
  readonly dropCollection: (collection: string) => Promise<void>;
  readonly close: () => Promise<void>;
};

/** The key of a document in the map `transact` hands to `compute`. */
export const documentKey = ({ collection, id }: DocumentKey): string => `${collection}/${id}`;

const collectionPattern = /^[a-z][a-z0-9_-]{0,62}$/;

/** Collection names are portable across stores: lowercase letters, digits, `-` and `_`. */
export const assertCollectionName = (collection: string): void => {
  if (!collectionPattern.test(collection)) throw new Error(`invalid collection name "${collection}"`);
};

/** A page's cursor: the last document's sort value (a scalar: queries order by top-level scalar fields) and id. */
export const encodeCursor = (value: unknown, id: string): string => Buffer.from(JSON.stringify([value, id])).toString('base64url');

export const decodeCursor = (cursor: string): { value: Scalar; id: string } | undefined => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [value, id]: unknown[] = parsed;
    return isScalar(value) && typeof id === 'string' ? { value, id } : undefined;
  } catch {
    return undefined;
  }
};
