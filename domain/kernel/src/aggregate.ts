import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { EventCatalog } from './catalog.ts';
import { decodeWith, type FieldError } from './codecs.ts';
import type { Command, CommandMetadata, Decider, DomainEvent } from './decider.ts';
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

/** An aggregate's command codecs by command type: each decodes the data of its own command. */
export type CommandCodecs<C extends Command> = {
  readonly [K in C['type']]: t.Type<Extract<C, { readonly type: K }>['data'], unknown, unknown>;
};

/**
 * The command of `type` with its data decoded by that type's codec (the field errors otherwise). The one
 * assertion: `codecs[type]` is the codec of the member of C whose type is `type` (CommandCodecs says so),
 * but TypeScript cannot relate a key of a mapped type to the member of the union it came from.
 */
export const decodeCommand = <C extends Command>(
  codecs: CommandCodecs<C>,
  type: C['type'],
  data: unknown,
  metadata: CommandMetadata,
): E.Either<FieldError[], C> => {
  const decoded = decodeWith(codecs[type])(data);
  return E.isLeft(decoded) ? decoded : E.right({ type, data: decoded.right, metadata } as C);
};
