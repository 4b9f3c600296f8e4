// given(events).then(documents): projection tests in a few lines, beside the decider DSL. The events are
// folded through the projection's pure functions (projectAll), exactly as its runtime applies them in order.
//
//   const given = givenProjection(parcelStatusProjection);
//   test('a delivered parcel shows its proof', given(events).thenDocument(parcels, 'p-1', expectedView));
//   test('a cancelled route leaves no load', given(events).thenDocuments(loads, {}));
//
// A failing scenario prints the story (each event, its stream and revision) with ava's diff.
import type { ExecutionContext, ImplementationFn } from 'ava';
import type { Document } from '../document-store.ts';
import type { RecordedEvent } from '../envelope.ts';
import type { Collection } from '../collection.ts';
import { projectAll, type ProjectedDocuments, type Projection } from '../projection.ts';

type Implementation = ImplementationFn<[], unknown>;

export type ProjectionScenario = {
  /** The collection holds exactly these documents, by id. */
  readonly thenDocuments: <D extends Document>(collection: Collection<D>, expected: Readonly<Record<string, D>>) => Implementation;
  /** This one document is exactly `expected` (undefined: absent). */
  readonly thenDocument: <D extends Document>(collection: Collection<D>, id: string, expected: D | undefined) => Implementation;
  /** Anything else, checked by the caller on the documents the events made (`story` for its messages). */
  readonly then: (check: (t: ExecutionContext, documents: ProjectedDocuments, story: string) => void) => Implementation;
};

const storyOf = (events: readonly RecordedEvent[]) =>
  `given:\n${events.map((e) => `  ${e.type} (${e.streamId}@${e.streamRevision})`).join('\n') || '  (no events)'}`;

export const givenProjection =
  (projection: Projection) =>
  (events: readonly RecordedEvent[]): ProjectionScenario => {
    const story = storyOf(events);
    const documentsOf = <D extends Document>(collection: Collection<D>) =>
      Object.fromEntries(projectAll(projection, events).get(collection.name) ?? new Map());
    return {
      thenDocuments: (collection, expected) => (t) => {
        t.deepEqual(documentsOf(collection), expected, `the ${collection.name} documents differ from the expected ones\n${story}`);
      },
      thenDocument: (collection, id, expected) => (t) => {
        t.deepEqual(documentsOf(collection)[id], expected, `${collection.name}/${id} differs from the expected document\n${story}`);
      },
      then: (check) => (t) => check(t, projectAll(projection, events), story),
    };
  };
