// The dry-run report: what a rebuilt generation would change against the live one, collection by
// collection — documents added, changed (with the fields that differ) and removed, counted, with samples.
import {
  canonicalJson,
  typedCollection,
  type Collection,
  type Document,
  type DocumentStore,
  type Projection,
  type TypedCollection,
} from '@meridian/kernel';
import { physicalCollection } from './projection.ts';

export type FieldChange = { readonly field: string; readonly live: unknown; readonly rebuilt: unknown };

export type CollectionDiff = {
  readonly collection: string;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly samples: {
    readonly added: readonly { id: string; document: Document }[];
    readonly changed: readonly { id: string; fields: readonly FieldChange[] }[];
    readonly removed: readonly { id: string; document: Document }[];
  };
  /** Every id that would change, in id order (for a scoped fix, or to check a diff is exactly what was expected). */
  readonly changedIds: readonly string[];
};

export type DiffReport = {
  readonly projection: string;
  readonly live: string;
  readonly rebuilt: string;
  readonly collections: readonly CollectionDiff[];
};

/** Reads a whole collection in id order, page by page, each document decoded as its collection's type. */
async function* documentsOf(documents: TypedCollection<Document>): AsyncGenerator<{ id: string; document: Document }> {
  let after: string | undefined;
  do {
    const page = await documents.query({ limit: 500, ...(after && { after }) });
    yield* page.documents;
    after = page.next;
  } while (after !== undefined);
}

type Sample = { readonly id: string; readonly document: Document };

const fieldChanges = (live: Document, rebuilt: Document): FieldChange[] =>
  [...new Set([...Object.keys(live), ...Object.keys(rebuilt)])]
    .sort()
    .filter((field) => canonicalJson(live[field]) !== canonicalJson(rebuilt[field]))
    .map((field) => ({ field, live: live[field], rebuilt: rebuilt[field] }));

const diffCollection = async (
  documents: DocumentStore,
  collection: Collection<Document>,
  live: string,
  rebuilt: string,
  samples: number,
): Promise<CollectionDiff> => {
  const generation = (name: string) => typedCollection(documents, collection, physicalCollection(collection.name, name));
  // Both sides are read whole; read models of this size fit, and the report is a one-off.
  const before = new Map<string, Document>();
  for await (const { id, document } of documentsOf(generation(live))) before.set(id, document);
  const result: { added: Sample[]; changed: { id: string; fields: FieldChange[] }[]; removed: Sample[] } = {
    added: [],
    changed: [],
    removed: [],
  };
  let unchanged = 0;
  for await (const { id, document } of documentsOf(generation(rebuilt))) {
    const old = before.get(id);
    before.delete(id);
    if (old === undefined) result.added.push({ id, document });
    else if (canonicalJson(old) !== canonicalJson(document)) result.changed.push({ id, fields: fieldChanges(old, document) });
    else unchanged++;
  }
  result.removed.push(...[...before].map(([id, document]) => ({ id, document })));
  return {
    collection: collection.name,
    added: result.added.length,
    changed: result.changed.length,
    removed: result.removed.length,
    unchanged,
    samples: {
      added: result.added.slice(0, samples),
      changed: result.changed.slice(0, samples),
      removed: result.removed.slice(0, samples),
    },
    changedIds: [...result.added, ...result.changed, ...result.removed].map((d) => d.id).sort(),
  };
};

export const diffGenerations = async (
  documents: DocumentStore,
  projection: Projection,
  live: string,
  rebuilt: string,
  samples = 10,
): Promise<DiffReport> => ({
  projection: projection.name,
  live,
  rebuilt,
  collections: await Promise.all(
    Object.values(projection.collections).map((collection) => diffCollection(documents, collection, live, rebuilt, samples)),
  ),
});
