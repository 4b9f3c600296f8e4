// given(events).then(documents): projection tests in a few lines, beside the decider DSL. The events are
// folded through the projection's pure functions (projectAll), exactly as its runtime applies them in order.
//
//   const given = givenProjection(parcelStatusProjection);
//   test('a delivered parcel shows its proof', given(events).thenDocument(parcels, 'p-1', expectedView));
//   test('a cancelled route leaves no load', given(events).thenDocuments(loads, {}));
//   test('a late fact keeps updatedAt', given(events).thenDocumentLike(parcels, 'p-1', { updatedAt }));
//
// Every document a scenario looks at must also be of its collection's type (its codec decodes it): the
// runtime does not decode what a projection writes, the query edge does, so a projection that writes a
// document its codec refuses fails here rather than as a 500 in the API. A failing scenario prints the
// story (each event, its stream and revision) with ava's diff.
import type { ExecutionContext, ImplementationFn } from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { fieldErrors } from '../codecs.ts';
import type { Collection } from '../collection.ts';
import type { Document } from '../document-store.ts';
import type { RecordedEvent } from '../envelope.ts';
import { projectAll, type ProjectedDocuments, type Projection } from '../projection.ts';

type Implementation = ImplementationFn<[], unknown>;

/** What ava's `like` compares: plain objects in part (at any depth), anything else (arrays too) whole. */
export type Like<T> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]?: Like<T[K]> } : T;

/** The documents the events made, read as their collections' types. */
export type ProjectedView = {
  /** Every document of the collection, by id (a document its codec refuses fails the test). */
  readonly documentsOf: <D extends Document>(collection: Collection<D>) => Readonly<Record<string, D>>;
  /** One document (undefined: absent). */
  readonly documentOf: <D extends Document>(collection: Collection<D>, id: string) => D | undefined;
  /** As projectAll left them, by collection and id. */
  readonly raw: ProjectedDocuments;
};

export type ProjectionScenario = {
  /** The collection holds exactly these documents, by id. */
  readonly thenDocuments: <D extends Document>(collection: Collection<D>, expected: Readonly<Record<string, D>>) => Implementation;
  /** This one document is exactly `expected` (undefined: absent). */
  readonly thenDocument: <D extends Document>(collection: Collection<D>, id: string, expected: D | undefined) => Implementation;
  /** This one document exists and has at least these fields (ava's `like`: nested objects compared in part). */
  readonly thenDocumentLike: <D extends Document>(collection: Collection<D>, id: string, expected: Like<D>) => Implementation;
  /** Anything else, checked by the caller on the documents the events made (`story` for its messages). */
  readonly then: (check: (t: ExecutionContext, view: ProjectedView, story: string) => void) => Implementation;
};

const storyOf = (events: readonly RecordedEvent[]) =>
  `given:\n${events.map((e) => `  ${e.type} (${e.streamId}@${e.streamRevision})`).join('\n') || '  (no events)'}`;

/** The view of the projected documents for one test: a document its codec refuses fails `t`, with its path. */
const viewOf = (t: ExecutionContext, raw: ProjectedDocuments, story: string): ProjectedView => {
  const decoded = <D extends Document>(collection: Collection<D>, id: string, document: Document): D | undefined => {
    const result = collection.codec.decode(document);
    if (E.isRight(result)) return result.right;
    const errors = fieldErrors(result.left).map((e) => `${e.pointer} ${e.detail}`);
    t.fail(`${collection.name}/${id} is not a ${collection.codec.name}: ${errors.join('; ')}\n${story}`);
    return undefined;
  };
  const documentsOf = <D extends Document>(collection: Collection<D>): Readonly<Record<string, D>> =>
    Object.fromEntries(
      [...(raw.get(collection.name) ?? new Map<string, Document>())].flatMap(([id, document]) => {
        const typed = decoded(collection, id, document);
        return typed === undefined ? [] : [[id, typed]];
      }),
    );
  return {
    documentsOf,
    documentOf: (collection, id) => {
      const document = raw.get(collection.name)?.get(id);
      return document === undefined ? undefined : decoded(collection, id, document);
    },
    raw,
  };
};

export const givenProjection =
  (projection: Projection) =>
  (events: readonly RecordedEvent[]): ProjectionScenario => {
    const story = storyOf(events);
    const run = (t: ExecutionContext) => viewOf(t, projectAll(projection, events), story);
    return {
      thenDocuments: (collection, expected) => (t) => {
        t.deepEqual(run(t).documentsOf(collection), expected, `the ${collection.name} documents differ from the expected ones\n${story}`);
      },
      thenDocument: (collection, id, expected) => (t) => {
        t.deepEqual(run(t).documentOf(collection, id), expected, `${collection.name}/${id} differs from the expected document\n${story}`);
      },
      thenDocumentLike: (collection, id, expected) => (t) => {
        const document = run(t).documentOf(collection, id);
        if (document === undefined) return void t.fail(`${collection.name}/${id} does not exist\n${story}`);
        t.like(document, expected, `${collection.name}/${id} differs from the expected fields\n${story}`);
      },
      then: (check) => (t) => check(t, run(t), story),
    };
  };
