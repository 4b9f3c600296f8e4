// What query functions hand the query API: typed documents a page at a time, with an opaque cursor.
import type { Document, DocumentQuery, FieldFilter, Scalar, TypedCollection } from '@meridian/kernel';

export type Page<D> = {
  readonly documents: readonly D[];
  /** Pass as `after` to read the next page; absent on the last page. */
  readonly next?: string;
};

export type PageRequest = {
  /** At most this many documents (default 50, capped at 500). */
  readonly limit?: number;
  /** The `next` cursor of the previous page of the same query. */
  readonly after?: string;
};

export const defaultPageSize = 50;
export const maxPageSize = 500;

/** The query API validates `limit`; this keeps a careless caller from asking a store for everything. */
export const pageSize = (limit: number = defaultPageSize): number =>
  Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 1), maxPageSize) : defaultPageSize;

const isList = (value: Scalar | readonly Scalar[]): value is readonly Scalar[] => Array.isArray(value);

/** An equality filter for one value, an `in` filter for several, nothing when the caller gave none. */
export const matching = (field: string, value: Scalar | readonly Scalar[] | undefined): FieldFilter[] => {
  if (value === undefined) return [];
  return isList(value) ? [{ field, op: 'in', value }] : [{ field, op: '==', value }];
};

/** Reads one page of a typed collection; each document is decoded as its collection's type. */
export const readPage = async <D extends Document>(documents: TypedCollection<D>, query: DocumentQuery): Promise<Page<D>> => {
  const page = await documents.query(query);
  return { documents: page.documents.map(({ document }) => document), ...(page.next !== undefined && { next: page.next }) };
};

/** Reads every page of a query (for small, bounded result sets only). */
export const readAll = async <D extends Document>(documents: TypedCollection<D>, query: DocumentQuery): Promise<D[]> => {
  const all: D[] = [];
  let after: string | undefined;
  do {
    const page = await readPage(documents, { ...query, ...(after !== undefined && { after }) });
    all.push(...page.documents);
    after = page.next;
  } while (after !== undefined);
  return all;
};
