// Applies events to a document store in transactions small enough for Firestore (500 writes at most).
import { maxWritesPerTransaction, type DocumentStore, type RecordedEvent } from '@meridian/kernel';
import { decideWrites, keysOf, planEvents, type Outcome, type PlannedEvent } from './plan.ts';
import { physicalCollection, type Generation, type Projection } from './projection.ts';

/** Splits planned events into chunks whose writes fit one transaction (counted generously). */
const chunks = (planned: readonly PlannedEvent[], maxWrites: number): PlannedEvent[][] => {
  const result: PlannedEvent[][] = [];
  let current: PlannedEvent[] = [];
  let writes = 0;
  for (const item of planned) {
    const cost = item.updates.length + 1;
    if (current.length > 0 && writes + cost > maxWrites) {
      result.push(current);
      current = [];
      writes = 0;
    }
    current.push(item);
    writes += cost;
  }
  if (current.length > 0) result.push(current);
  return result;
};

/**
 * Applies `events` (in log or delivery order) to a projection generation; returns each event's outcome.
 * Each chunk is one transaction: its documents and stream checkpoints land together or not at all.
 */
export const applyEvents = async (
  documents: DocumentStore,
  projection: Projection,
  events: readonly RecordedEvent[],
  generation: Generation = projection.version,
): Promise<Outcome[]> => {
  const outcomes: Outcome[] = [];
  for (const chunk of chunks(planEvents(projection, events), documents.maxWritesPerTransaction ?? maxWritesPerTransaction)) {
    const result = await documents.transact(keysOf(projection, generation, chunk), (current) => {
      const decided = decideWrites(projection, generation, chunk, current);
      return { writes: decided.writes, result: decided.outcomes };
    });
    outcomes.push(...result);
  }
  return outcomes;
};

/**
 * Creates a generation's collections and, unless told otherwise, the indexes its queries need. A rebuild
 * asks for the indexes only once it is loaded: building an index over loaded rows beats updating it per row.
 */
export const prepareProjection = async (
  documents: DocumentStore,
  projection: Projection,
  generation: Generation = projection.version,
  { withIndexes = true }: { withIndexes?: boolean } = {},
): Promise<void> => {
  for (const [collection, { indexes = [] }] of Object.entries(projection.collections))
    await documents.ensureCollection(physicalCollection(collection, generation), { indexes: withIndexes ? indexes : [] });
};
