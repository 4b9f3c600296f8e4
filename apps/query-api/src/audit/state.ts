// "What did we know at 14:05?": an aggregate's state folded over its stream up to an instant or a revision.
import { aggregateTypeOf, type EventStore, type RecordedEvent } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { auditedAggregates } from './aggregates.ts';

/** The moment asked about: an instant (recordedAt ≤ at), a revision (≤ revision), or now (every event). */
export type AsOf = { readonly at: string } | { readonly revision: number } | { readonly latest: true };

export type StateAsOf = {
  readonly streamId: string;
  readonly aggregateType: string;
  readonly asOf: AsOf;
  /** The revision of the last event folded: the state is the one right after it. */
  readonly revision: number;
  /** When that event was recorded. */
  readonly recordedAt: string;
  readonly eventsFolded: number;
  readonly state: unknown;
};

export type StateRefusal =
  | { readonly _tag: 'UnknownAggregate'; readonly aggregateType: string; readonly known: readonly string[] }
  | { readonly _tag: 'NoEventsYet'; readonly streamId: string };

/**
 * The stream's prefix up to the moment. A prefix, not a filter: should a clock have stepped back between two
 * appends, folding "every event recorded before T" could skip one and build a state that never existed;
 * the prefix stops at the first event recorded after T, which is what the log knew at T.
 */
export const eventsAsOf = (events: readonly RecordedEvent[], asOf: AsOf): readonly RecordedEvent[] => {
  const within =
    'at' in asOf
      ? (event: RecordedEvent) => Date.parse(event.recordedAt) <= Date.parse(asOf.at)
      : 'revision' in asOf
        ? (event: RecordedEvent) => event.streamRevision <= asOf.revision
        : () => true;
  const end = events.findIndex((event) => !within(event));
  return end < 0 ? events : events.slice(0, end);
};

export const stateAsOf = async (store: EventStore, streamId: string, asOf: AsOf): Promise<E.Either<StateRefusal, StateAsOf>> => {
  const aggregateType = aggregateTypeOf(streamId);
  const aggregate = auditedAggregates.get(aggregateType);
  if (aggregate === undefined) return E.left({ _tag: 'UnknownAggregate', aggregateType, known: [...auditedAggregates.keys()] });
  const events = eventsAsOf(await store.readStream(streamId), asOf);
  const last = events[events.length - 1];
  if (last === undefined) return E.left({ _tag: 'NoEventsYet', streamId });
  const folded = aggregate.fold(events);
  // A stored event that no longer decodes is a deployment bug (a missing upcaster), not the auditor's mistake.
  if (E.isLeft(folded)) throw new Error(`the state of ${streamId} cannot be folded: ${folded.left}`);
  return E.right({
    streamId,
    aggregateType,
    asOf,
    revision: last.streamRevision,
    recordedAt: last.recordedAt,
    eventsFolded: events.length,
    state: folded.right,
  });
};
