import type { EventCatalog } from './catalog.ts';
import type { Command, Decider, DomainEvent } from './decider.ts';
import { streamIdOf } from './envelope.ts';

/**
 * What a command expects of its stream, declared rather than buried in code: a new stream (register),
 * an existing one (everything after), or either.
 */
export type StreamExpectation = 'new' | 'existing' | 'any';

/** Everything the command handler needs to know about one aggregate. */
export type AggregateDefinition<C extends Command, Ev extends DomainEvent, S> = {
  /** `parcel`: the stream prefix and the bus's `aggregateType` attribute. */
  readonly type: string;
  readonly decider: Decider<C, Ev, S>;
  readonly events: EventCatalog<Ev>;
  /** The id of the entity a command addresses (a method, for the bivariance Decider explains). */
  idOf(command: C): string;
  readonly expects: { readonly [K in C['type']]: StreamExpectation };
};

export type AnyAggregate = AggregateDefinition<Command, DomainEvent, unknown>;

export const streamOfCommand = <C extends Command, Ev extends DomainEvent, S>(
  aggregate: AggregateDefinition<C, Ev, S>,
  command: C,
): string => streamIdOf(aggregate.type, aggregate.idOf(command));
