// given(events).when(command).then(events): aggregate tests in a few lines, each an ava implementation.
//
//   const given = givenFor(parcel.decider);
//   test('delivers a parcel out for delivery', given([registered, outForDelivery]).when(deliver).then([delivered]));
//   test('refuses to deliver twice', given([..., delivered]).when(deliver).thenRejects('ParcelAlreadyDelivered'));
import type { ExecutionContext, ImplementationFn } from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { fold, type Command, type Decider, type DomainEvent } from '../decider.ts';

type Implementation = ImplementationFn<[], unknown>;

export type Scenario<C extends Command, Ev extends DomainEvent, S> = {
  readonly when: (command: C) => {
    /** The command is accepted and produces exactly these events, in order. */
    readonly then: (expected: readonly Ev[]) => Implementation;
    /** The command is refused with a domain error of this tag. */
    readonly thenRejects: (errorTag: string) => Implementation;
    /** The command is accepted; the events are checked by the caller (for example a property). */
    readonly thenEvents: (check: (t: ExecutionContext, events: readonly Ev[], state: S) => void) => Implementation;
  };
};

const describe = (label: string, value: unknown) => `${label}: ${JSON.stringify(value, null, 2)}`;

export const givenFor =
  <C extends Command, Ev extends DomainEvent, S>(decider: Decider<C, Ev, S>) =>
  (history: readonly Ev[]): Scenario<C, Ev, S> => ({
    when: (command) => {
      // Shown only when a scenario fails, so the diff comes with the story that led to it.
      const story = `${describe(
        'given',
        history.map((e) => e.type),
      )}\n${describe('when', command)}`;
      const run = () => {
        const state = fold(decider, history);
        return { state, decided: decider.decide(command, state) };
      };
      return {
        then: (expected) => (t) => {
          const { decided } = run();
          if (E.isLeft(decided))
            return t.fail(`expected events, but the command was rejected: ${decided.left._tag}: ${decided.left.message}\n${story}`);
          t.deepEqual(decided.right, expected, `the events produced differ from the expected ones\n${story}`);
          // Accepted events must fold: a decider whose own events break evolve is broken.
          t.notThrows(() => fold(decider, decided.right, fold(decider, history)));
        },
        thenRejects: (errorTag) => (t) => {
          const { decided } = run();
          if (E.isRight(decided))
            return t.fail(`${describe(`expected rejection ${errorTag}, but the command produced`, decided.right)}\n${story}`);
          t.is(decided.left._tag, errorTag, `rejected for another reason: ${decided.left.message}\n${story}`);
        },
        thenEvents: (check) => (t) => {
          const { state, decided } = run();
          if (E.isLeft(decided))
            return t.fail(`expected events, but the command was rejected: ${decided.left._tag}: ${decided.left.message}\n${story}`);
          check(t, decided.right, fold(decider, decided.right, state));
        },
      };
    },
  });
