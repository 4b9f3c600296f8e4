import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { answerCommand, handleCommand, type CommandContext } from './command-handler.ts';
import type { EventStore } from './event-store.ts';
import { createStateCache } from './state-cache.ts';
import { createInMemoryEventStore } from './testing/in-memory-event-store.ts';
import { add, context, counter, now, open, right, run, type CounterCommand } from './test-fixtures.ts';

test('appends the decided events with the whole metadata of the request', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  const result = right(await run(store, add('c1', 5), { ...context, request: { requestId: 'key-1', fingerprint: 'fp' } }));
  t.like(result, { streamId: 'counter-c1', revision: 1 });
  const [, added] = await store.readStream('counter-c1');
  t.like(added, { type: 'counter.added.v1', schemaVersion: 1, streamRevision: 1, data: { id: 'c1', amount: 5 } });
  t.deepEqual(added?.metadata, { ...context, requestId: 'key-1', requestFingerprint: 'fp' });
  t.is(added?.eventId, result.events[0]?.eventId);
});

test('declared stream expectations: new on an existing stream, existing on a missing one', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  t.deepEqual(await run(store, open('c1')), E.left({ _tag: 'StreamAlreadyExists', streamId: 'counter-c1' }));
  t.deepEqual(await run(store, add('nope', 1)), E.left({ _tag: 'StreamNotFound', streamId: 'counter-nope' }));
  t.is(await store.headPosition(), 1, 'nothing was appended by the refused commands');
});

test('a rejected command appends nothing, and one deciding nothing appends nothing', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  const refused = await run(store, add('c1', 500));
  t.like(refused, { left: { _tag: 'CommandRejected', error: { _tag: 'LimitExceeded' } } });
  t.like(right(await run(store, { type: 'Touch', data: { id: 'c1' }, metadata: { now } })), { revision: 0, events: [] });
  t.is(await store.headPosition(), 1);
});

test('a retried request returns its first result and appends nothing; a reused key with another body is refused', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  const request = { requestId: 'key-1', fingerprint: 'body-a' };
  const first = right(await run(store, add('c1', 5), { ...context, request }));
  right(await run(store, add('c1', 1)));
  const retry = await answerCommand({ store }, { aggregate: counter, command: add('c1', 5), context: { ...context, request } });
  t.deepEqual(retry, { answer: E.right(first), replayed: true });
  t.deepEqual(
    await run(store, add('c1', 7), { ...context, request: { requestId: 'key-1', fingerprint: 'body-b' } }),
    E.left({ _tag: 'IdempotencyKeyReused', requestId: 'key-1' }),
  );
  t.is((await store.readStream('counter-c1')).length, 3);
});

test('concurrent duplicates of one request append once and all answer the first result', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  const request = { requestId: 'key-2', fingerprint: 'same' };
  const results = await Promise.all(
    Array.from({ length: 10 }, () =>
      answerCommand({ store }, { aggregate: counter, command: add('c1', 3), context: { ...context, request } }),
    ),
  );
  t.is((await store.readStream('counter-c1')).length, 2);
  t.is(results.filter((r) => !r.replayed).length, 1);
  t.true(results.every((r) => right(r.answer).events[0]?.eventId === right(results[0]!.answer).events[0]?.eventId));
});

test('concurrent commands on one stream are serialised by retries, keeping every rule', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  const results = await Promise.all(Array.from({ length: 30 }, () => run(store, add('c1', 5), context, 50)));
  const accepted = results.filter(E.isRight).length;
  t.is(accepted, 20, 'exactly the adds that fit under the limit');
  t.true(results.filter(E.isLeft).every((r) => r.left._tag === 'CommandRejected'));
  const stream = await store.readStream('counter-c1');
  t.deepEqual(
    stream.map((e) => e.streamRevision),
    Array.from({ length: 21 }, (_, i) => i),
  );
});

test('a conflict that outlasts the attempts is reported as such', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  // A store whose stream always moves on between read and append.
  const racing: EventStore = {
    ...store,
    append: async (request) => {
      await store.append({
        ...request,
        expectedRevision: 'any',
        events: request.events.map((e) => ({ ...e, eventId: crypto.randomUUID() })),
      });
      return store.append(request);
    },
  };
  t.deepEqual(await run(racing, add('c1', 1), context, 3), E.left({ _tag: 'ConcurrencyConflict', streamId: 'counter-c1', attempts: 3 }));
});

test('a guard refuses an actor before anything is decided', async (t) => {
  const store = createInMemoryEventStore();
  right(await run(store, open('c1')));
  const result = await handleCommand(
    { store },
    {
      aggregate: counter,
      command: add('c1', 1),
      context,
      guard: (state, actor) => (state.owner === actor.principalId ? undefined : { _tag: 'Forbidden', message: 'not your counter' }),
    },
  );
  t.deepEqual(
    result,
    E.right({
      streamId: 'counter-c1',
      revision: 1,
      events: (await store.readStream('counter-c1', { fromRevision: 1 })).map(({ eventId, type, streamRevision, globalPosition }) => ({
        eventId,
        type,
        streamRevision,
        globalPosition,
      })),
    }),
  );
  const bob = await handleCommand(
    { store },
    {
      aggregate: counter,
      command: add('c1', 1),
      context: { ...context, actor: { principalId: 'bob', role: 'client', clientId: 'x' } },
      guard: (state, actor) => (state.owner === actor.principalId ? undefined : { _tag: 'Forbidden', message: 'not your counter' }),
    },
  );
  t.deepEqual(bob, E.left({ _tag: 'Forbidden', message: 'not your counter' }));
});

test('with a state cache a command reads only the events appended since, and decides the same', async (t) => {
  const store = createInMemoryEventStore();
  const reads: number[] = [];
  const counting: EventStore = {
    ...store,
    readStream: async (streamId, options) => (reads.push(options?.fromRevision ?? 0), store.readStream(streamId, options)),
  };
  const cache = createStateCache();
  const cachedRun = (command: CounterCommand) => handleCommand({ store: counting, cache }, { aggregate: counter, command, context });
  right(await cachedRun(open('c1')));
  for (let i = 0; i < 5; i++) right(await cachedRun(add('c1', 10)));
  t.deepEqual(reads, [0, 1, 2, 3, 4, 5], 'each command read from the revision after the cached one');
  // Another writer appends behind the cache's back: the next command reads it and keeps the rule.
  right(await run(store, add('c1', 45)));
  t.like(await cachedRun(add('c1', 10)), { left: { _tag: 'CommandRejected' } }, 'the cached state was brought up to date: 95 + 10 > 100');
  right(await cachedRun(add('c1', 5)));
  t.is((await store.readStream('counter-c1')).length, 8);
});

test('with a state cache a retried request still answers its first result, even after the stream moved on', async (t) => {
  const store = createInMemoryEventStore();
  const cache = createStateCache();
  const cachedRun = (command: CounterCommand, ctx: CommandContext = context) =>
    handleCommand({ store, cache }, { aggregate: counter, command, context: ctx });
  right(await cachedRun(open('c1')));
  const request = { requestId: 'key-9', fingerprint: 'fp' };
  const first = right(await cachedRun(add('c1', 90), { ...context, request }));
  right(await cachedRun(add('c1', 5)));
  // Deciding again would be refused (90 + 5 + 90 > 100): the retry must not decide at all.
  t.deepEqual(right(await cachedRun(add('c1', 90), { ...context, request })), first);
  t.is(await store.headPosition(), 3, 'nothing appended by the retry');
});
