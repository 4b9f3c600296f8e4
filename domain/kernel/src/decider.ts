import type * as E from 'fp-ts/lib/Either.js';
import type { DomainError } from './errors.ts';

/** A command as the domain sees it: what to do, with the clock read at the edge (decide stays pure). */
export type Command<Type extends string = string, Data = unknown> = {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandMetadata;
};

export type CommandMetadata = {
  /** When the command was received; the only clock a decider may read. */
  readonly now: Date;
};

/** A domain event in code: a past-tense name and its data. Its wire name lives in the event catalog. */
export type DomainEvent<Type extends string = string, Data = unknown> = {
  readonly type: Type;
  readonly data: Data;
};

/**
 * The write model of one aggregate, as three pure functions. `decide` answers with the facts that a command
 * produces, or the rule it breaks; it never throws and never reads anything but its arguments.
 */
export type Decider<C extends Command, Ev extends DomainEvent, S> = {
  readonly initialState: S;
  // Methods, not function-valued properties: methods are bivariant in their parameters, so one aggregate's
  // decider is also "a decider" where the platform handles any aggregate (the command handling, reactions).
  evolve(state: S, event: Ev): S;
  decide(command: C, state: S): E.Either<DomainError, readonly Ev[]>;
};

export const fold = <E extends DomainEvent, S>(
  decider: Pick<Decider<Command, E, S>, 'initialState' | 'evolve'>,
  events: Iterable<E>,
  from: S = decider.initialState,
): S => {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
};

/** Ends a `switch` over a union: the compiler proves every member was handled. */
export const exhaustive = (value: never): never => {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
};
