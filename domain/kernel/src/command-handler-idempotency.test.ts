// Idempotency-Key semantics of command handling: a request's first decided answer (appended, no-op or
// refusal) is every retry's answer; another request with the key is refused; what decides nothing records
// nothing.
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { answerCommand, type CommandContext } from './command-handler.ts';
import type { EventStore } from './event-store.ts';
import { createInMemoryEventStore } from './testing/in-memory-event-store.ts';
import { add, context, counter, now, open, right, run, type CounterCommand } from './test-fixtures.ts';

const touch = (id: string): CounterCommand => ({ type: 'Touch', data: { id }, metadata: { now } });
const withKey = (requestId: string, fingerprint: string): CommandContext => ({ ...context, request: { requestId, fingerprint } });
const answer = (store: EventStore, command: CounterCommand, ctx: CommandContext) =>
  answerCommand({ store }, { aggregate: counter, command, context: ctx });

test('a refused request is refused again on retry, even once the state would allow it; another request with its key is 422', async (t) => {
  const store = createInMemoryEventStore();
  const first = await answer(store, add('c1', 5), withKey('k1', 'add-5'));
  t.deepEqual(first, { answer: E.left({ _tag: 'StreamNotFound', streamId: 'counter-c1' }), replayed: false });
  // The defect's sequence: another command with the key is not carried out...
  right(await run(store, open('c1')));
  t.deepEqual(await answer(store, add('c1', 7), withKey('k1', 'add-7')), {
    answer: E.left({ _tag: 'IdempotencyKeyReused', requestId: 'k1' }),
    replayed: false,
  });
  t.is(await store.headPosition(), 1, 'nothing appended under the refused key');
  // ...and the first request, retried, is answered as it was first (though counter-c1 exists now).
  t.deepEqual(await answer(store, add('c1', 5), withKey('k1', 'add-5')), { answer: first.answer, replayed: true });

  right(await run(store, add('c1', 90)));
  const rule = await answer(store, add('c1', 20), withKey('k2', 'add-20'));
  t.like(rule, { answer: { left: { _tag: 'CommandRejected', error: { _tag: 'LimitExceeded' } } }, replayed: false });
  t.deepEqual(await answer(store, add('c1', 20), withKey('k2', 'add-20')), { answer: rule.answer, replayed: true });
});

test('a no-op request answers the same no-op on retry, after the stream moved on; another request with its key is 422', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  const first = await answer(store, touch('c1'), withKey('k1', 'touch'));
  t.deepEqual(first, { answer: E.right({ streamId: 'counter-c1', revision: 0, events: [] }), replayed: false });
  t.deepEqual(await answer(store, add('c1', 5), withKey('k1', 'add-5')), {
    answer: E.left({ _tag: 'IdempotencyKeyReused', requestId: 'k1' }),
    replayed: false,
  });
  t.is(await store.headPosition(), 1, 'the other command was not carried out');
  right(await run(store, add('c1', 5)));
  t.deepEqual(
    await answer(store, touch('c1'), withKey('k1', 'touch')),
    { answer: first.answer, replayed: true },
    'revision 0, as first answered',
  );
});

test('a forbidden actor and a conflict that outlasts the attempts decide nothing: the key stays free', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  const forbidden = await answerCommand(
    { store },
    { aggregate: counter, command: add('c1', 1), context: withKey('k1', 'a'), guard: () => ({ _tag: 'Forbidden', message: 'not yours' }) },
  );
  t.deepEqual(forbidden.answer, E.left({ _tag: 'Forbidden', message: 'not yours' }));
  t.is(await store.findRequest('k1'), undefined);

  // A store whose stream always moves on between read and append.
  const racing: EventStore = {
    ...store,
    append: async (request) => {
      await store.append({
        streamId: request.streamId,
        expectedRevision: 'any',
        events: request.events.map((e) => ({ ...e, eventId: crypto.randomUUID() })),
      });
      return store.append(request);
    },
  };
  t.like(
    await answerCommand({ store: racing, maxAttempts: 2 }, { aggregate: counter, command: add('c1', 1), context: withKey('k2', 'b') }),
    { answer: { left: { _tag: 'ConcurrencyConflict' } } },
  );
  t.is(await store.findRequest('k2'), undefined);
  // Both keys are still free: a request with them is carried out.
  t.like(await answer(store, add('c1', 2), withKey('k1', 'c')), { answer: { right: { revision: 3 } }, replayed: false });
});

test('a refusal decided while another attempt at the request appends gets the appended answer, as that attempt does', async (t) => {
  const base = createInMemoryEventStore();
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let reached: () => void = () => undefined;
  const deciding = new Promise<void>((resolve) => (reached = resolve));
  // The first attempt pauses after deciding, before recording its refusal.
  const slow: EventStore = {
    ...base,
    recordDecision: async (request, decision) => (reached(), await held, base.recordDecision(request, decision)),
  };
  const first = answerCommand({ store: slow }, { aggregate: counter, command: add('c1', 5), context: withKey('k1', 'add-5') });
  await deciding;
  // Meanwhile the stream is created and a second attempt at the same request appends.
  right(await run(base, open('c1')));
  const second = await answer(base, add('c1', 5), withKey('k1', 'add-5'));
  t.false(second.replayed);
  release();
  t.deepEqual(await first, { answer: second.answer, replayed: true });
  t.is((await base.readStream('counter-c1')).length, 2, 'appended once');
});

test('concurrent attempts at a refused request all get the one refusal', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  right(await run(store, add('c1', 95)));
  const answers = await Promise.all(Array.from({ length: 10 }, () => answer(store, add('c1', 10), withKey('k1', 'add-10'))));
  t.is(answers.filter((a) => !a.replayed).length, 1);
  t.true(answers.every((a) => E.isLeft(a.answer) && a.answer.left._tag === 'CommandRejected'));
  t.like(await store.findRequest('k1'), { fingerprint: 'add-10', answer: { kind: 'refused' } });
});
