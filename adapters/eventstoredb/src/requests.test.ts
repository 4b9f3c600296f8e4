// The request records protocol (requests.ts) without a server: over a fake at the client's boundary, the
// kernel's in-memory store standing for EventStoreDB's streams (plain appends by expected revision, reads).
// The whole event store contract runs over it, then the cases only this protocol has: attempts that crash
// between their intent and their append, intents overtaken by the stream, appends that time out. The same
// contract runs against a real server in event-store.int.test.ts when one is configured.
import type { AppendRequest, Decision, EventStore, LogBatch, RecordedEvent } from '@meridian/kernel';
import { createInMemoryEventStore, eventStoreContract, newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { isSystemRecord } from './mapping.ts';
import { createRequestRecords, requestStreamOf, type StreamAccess } from './requests.ts';

// The in-memory store has no stream metadata, and nothing here remembers where streams were seen, so every
// expectation but no_stream reads the stream's head (streams.test.ts covers the rest over the client's fake).
const accessTo = (base: EventStore): StreamAccess => ({
  append: (append) => base.append(append),
  write: async (append) => (await base.append(append)).outcome === 'appended',
  read: async (streamId, fromRevision, maxCount) => (await base.readStream(streamId, { fromRevision })).slice(0, maxCount),
  revision: async (streamId) => (await base.readStream(streamId)).at(-1)?.streamRevision ?? 'no_stream',
  hasMetadata: async () => false,
  seenRevision: () => undefined,
});

const ofTheLog = (events: readonly RecordedEvent[]) => events.filter((event) => !isSystemRecord(event));

/** The adapter's shape: plain appends go straight to the streams, appends with a request through the records. */
const storeOver = (base: EventStore, access: StreamAccess = accessTo(base)): EventStore => {
  const requests = createRequestRecords(access);
  return {
    ...base,
    append: async ({ request, ...append }) => (request === undefined ? base.append(append) : requests.append({ ...append, request })),
    findRequest: requests.findRequest,
    recordDecision: requests.recordDecision,
    readAll: async (options) => {
      const batch = await base.readAll(options);
      return { ...batch, events: ofTheLog(batch.events) };
    },
    subscribe: async function* (options): AsyncGenerator<LogBatch> {
      for await (const batch of base.subscribe(options)) yield { ...batch, events: ofTheLog(batch.events) };
    },
  };
};

eventStoreContract(test, {
  name: 'EventStoreDB request records (in-memory streams)',
  open: async () => storeOver(createInMemoryEventStore()),
});

const refusal = (streamId: string): Decision => ({ kind: 'refused', streamId, refusal: { _tag: 'StreamNotFound', streamId } });

/** Writes an intent as an attempt would have, just before it crashed, and nothing else. */
const crashAfterIntent = async (base: EventStore, requestId: string, intended: AppendRequest) => {
  const crashing = createRequestRecords({
    ...accessTo(base),
    append: async (append) => {
      if (append.streamId !== requestStreamOf(requestId)) throw new Error('crashed');
      return base.append(append);
    },
  });
  await crashing.append({ ...intended, request: { requestId, fingerprint: 'f1' } }).catch(() => undefined);
};

test('an attempt that crashed between its intent and its append is carried out by the next one, once', async (t) => {
  const base = createInMemoryEventStore();
  const store = storeOver(base);
  const events = [newEvent(), newEvent()];
  await crashAfterIntent(base, 'r/1', { streamId: 'counter-1', events, expectedRevision: 'no_stream' });
  t.deepEqual(await base.readStream('counter-1'), [], 'only the intent was written');
  t.is(await store.findRequest('r/1'), undefined, 'a lookup reads, and a pending intent is no answer yet');
  // A decision of the request finds the intent pending and carries it out: the append is the answer.
  const decided = await store.recordDecision({ requestId: 'r/1', fingerprint: 'f1' }, refusal('counter-1'));
  t.false(decided.recorded);
  t.like(decided.record, { fingerprint: 'f1', answer: { kind: 'appended', streamId: 'counter-1', revision: 1 } });
  t.deepEqual(
    (await base.readStream('counter-1')).map((e) => e.eventId),
    events.map((e) => e.eventId),
  );
  t.deepEqual(await store.findRequest('r/1'), decided.record);
  t.like(
    await store.append({ streamId: 'counter-1', events, expectedRevision: 'no_stream', request: { requestId: 'r/1', fingerprint: 'f1' } }),
    { outcome: 'duplicate' },
  );
  t.is((await base.readStream('counter-1')).length, 2, 'appended once');
});

test('an intent the stream moved past is dead: the key is free for the next attempt, whose answer is recorded over it', async (t) => {
  const base = createInMemoryEventStore();
  const store = storeOver(base);
  await crashAfterIntent(base, 'r/2', { streamId: 'counter-2', events: [newEvent()], expectedRevision: 'no_stream' });
  await base.append({ streamId: 'counter-2', events: [newEvent()], expectedRevision: 'no_stream' });
  t.is(await store.findRequest('r/2'), undefined);
  t.deepEqual(await store.recordDecision({ requestId: 'r/2', fingerprint: 'f1' }, refusal('counter-2')), {
    record: { fingerprint: 'f1', answer: refusal('counter-2') },
    recorded: true,
  });
  t.is((await base.readStream('counter-2')).length, 1, 'the dead intent was never appended');
  // And an append of the request after a dead intent of its own goes round again for 'any'.
  await crashAfterIntent(base, 'r/3', { streamId: 'counter-2', events: [newEvent()], expectedRevision: 0 });
  await base.append({ streamId: 'counter-2', events: [newEvent()], expectedRevision: 0 });
  const appended = await store.append({
    streamId: 'counter-2',
    events: [newEvent()],
    expectedRevision: 'any',
    request: { requestId: 'r/3', fingerprint: 'f1' },
  });
  t.like(appended, { outcome: 'appended', revision: 2 });
  t.like(
    await store.append({
      streamId: 'counter-2',
      events: [newEvent()],
      expectedRevision: 0,
      request: { requestId: 'r/4', fingerprint: 'f1' },
    }),
    { outcome: 'wrong_expected_revision', actual: 2 },
  );
});

test('an append that times out after the server stored it is an append; one that stored nothing fails and decides nothing', async (t) => {
  const base = createInMemoryEventStore();
  let mode: 'stored' | 'lost' = 'stored';
  const timingOut: StreamAccess = {
    ...accessTo(base),
    append: async (append) => {
      if (append.streamId.startsWith('meridian.request-')) return base.append(append);
      if (mode === 'stored') await base.append(append);
      throw Object.assign(new Error('deadline exceeded'), { name: 'DeadlineExceededError' });
    },
  };
  const store = storeOver(base, timingOut);
  t.like(
    await store.append({
      streamId: 'counter-3',
      events: [newEvent()],
      expectedRevision: 'no_stream',
      request: { requestId: 'r/5', fingerprint: 'f1' },
    }),
    { outcome: 'appended', revision: 0 },
  );
  mode = 'lost';
  await t.throwsAsync(
    store.append({
      streamId: 'counter-4',
      events: [newEvent()],
      expectedRevision: 'no_stream',
      request: { requestId: 'r/6', fingerprint: 'f1' },
    }),
    { message: 'deadline exceeded' },
  );
  t.is(await store.findRequest('r/6'), undefined, 'undecided: the intent is still pending');
});

test('request streams are not part of the log', (t) => {
  t.true(isSystemRecord({ streamId: requestStreamOf('principal/key'), type: 'meridian.request.decided.v1' }));
  t.regex(requestStreamOf('principal/key'), /^meridian\.request-[0-9a-f]{64}$/);
  t.false(isSystemRecord({ streamId: 'parcel-1', type: 'parcel.registered.v1' }));
});
