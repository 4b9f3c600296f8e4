// Appends and stream reads without a server: against a fake of the client's stream calls
// (fake-streams-client.ts), which behaves as an EventStoreDB server does where the adapter depends on it.
// No EventStoreDB can run on this machine; the contract suite (event-store.int.test.ts) runs against a
// real one when EVENTSTORE_CONNECTION_STRING is set.
import { ConsumerFailure, type AppendResult, type NewEvent, type RequestIdentity } from '@meridian/kernel';
import { newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { fakeStreamsClient, type FakeStreamsClient } from './fake-streams-client.ts';
import { streamStore } from './event-store.ts';

/** The stream side of the store over the fake client, as the real store composes it; another "process" shares the server. */
const setUp = (client: FakeStreamsClient = fakeStreamsClient()) => ({
  client,
  store: streamStore(() => client),
  otherProcess: () => streamStore(() => client),
});

const streamId = () => `parcel-${randomUUID()}`;
const requestOf = (fingerprint = 'f1'): RequestIdentity => ({ requestId: randomUUID(), fingerprint });

const appended = (result: AppendResult) => {
  if (result.outcome !== 'appended') throw new Error(`expected an append, got ${JSON.stringify(result)}`);
  return result;
};

const isPermanent = (error: unknown) => error instanceof ConsumerFailure && error.kind === 'permanent';

// ---- issue 18, EventStoreDB 1: racing retries of one request ----

test('identical appends of one request, racing: one is appended, the others answer duplicate, none throws', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  const request = requestOf();
  const events = [newEvent(), newEvent()];
  // The server drops the repeats that arrive while the first write commits, and lets them time out.
  const results = await Promise.all(
    Array.from({ length: 12 }, () => store.append({ streamId: stream, events, expectedRevision: 'no_stream', request })),
  );
  t.is(results.filter((r) => r.outcome === 'appended').length, 1);
  const first = appended(results.find((r) => r.outcome === 'appended')!);
  const answer = { kind: 'appended', streamId: stream, revision: first.revision, events: first.events };
  for (const result of results.filter((r) => r.outcome !== 'appended'))
    t.like(result, { outcome: 'duplicate', record: { fingerprint: request.fingerprint, answer } });
  t.is(client.events(stream).length, 2, 'written once');
});

test('an append whose answer timed out is settled from the stream: appended if written, otherwise the error stands', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  client.failNextAppend('timeout after writing');
  const written = appended(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream' }));
  t.is(written.revision, 0);

  client.failNextAppend('timeout after writing');
  const withoutRequest = [newEvent()];
  t.like(await store.append({ streamId: stream, events: withoutRequest, expectedRevision: 0 }), { outcome: 'appended', revision: 1 });

  client.failNextAppend('timeout before writing');
  const lost = await t.throwsAsync(store.append({ streamId: stream, events: [newEvent()], expectedRevision: 1 }));
  t.true(lost instanceof ConsumerFailure && lost.kind === 'transient', 'a transient failure: retrying may succeed');
  t.regex(lost?.message ?? '', /outcome is unknown/);
  t.is(client.events(stream).length, 2);
});

const readsDuring = async <A>(client: FakeStreamsClient, run: () => Promise<A>) => {
  const before = client.reads.length;
  const result = await run();
  return { result, reads: client.reads.slice(before) };
};

// ---- 4: read-backs from the leader ----

test('the read-back asks the leader: a lagging follower does not make an append misread its own outcome', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  appended(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream' }));
  client.lagFollower();
  const before = client.reads.length;
  const result = appended(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 0, request: requestOf() }));
  t.is(result.revision, 1);
  t.true(client.reads.slice(before).every((r) => r.options.requiresLeader === true));
  t.deepEqual(
    (await store.readStream(stream)).map((e) => e.streamRevision),
    [0],
    'the port read went to the lagging follower',
  );
});

test('a follower that answers NotLeader sends the read-back to the leader, asked once more', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  client.notLeaderOnce();
  const { result, reads } = await readsDuring(client, () =>
    store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream' }),
  );
  t.like(result, { outcome: 'appended', revision: 0 });
  const readBack = { fromRevision: 0n, maxCount: 1, requiresLeader: true };
  t.deepEqual(
    reads.map((r) => r.options),
    [readBack, readBack],
    'refused by the follower, then answered by the leader',
  );
});

// ---- 5: what the expectation check did not model, and the client's errors ----

test('stream_exists holds for a stream that has only metadata, as the server judges it', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  client.setMetadata(stream);
  t.like(await store.append({ streamId: stream, events: [], expectedRevision: 'stream_exists' }), { outcome: 'appended', revision: -1 });
  t.like(await store.append({ streamId: stream, events: [], expectedRevision: 'no_stream' }), { outcome: 'appended', revision: -1 });
  t.like(await store.append({ streamId: streamId(), events: [], expectedRevision: 'stream_exists' }), {
    outcome: 'wrong_expected_revision',
    actual: 'no_stream',
  });
  t.like(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'stream_exists' }), {
    outcome: 'appended',
    revision: 0,
  });
});

test('no_stream recreates a soft-deleted stream, its revisions continuing where the deleted ones ended', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  appended(await store.append({ streamId: stream, events: [newEvent(), newEvent()], expectedRevision: 'no_stream' }));
  client.softDelete(stream);
  t.deepEqual(await store.readStream(stream), [], 'a soft-deleted stream reads as missing');
  t.like(await store.append({ streamId: stream, events: [], expectedRevision: 'no_stream' }), { outcome: 'appended', revision: -1 });
  t.like(
    await store.append({ streamId: stream, events: [], expectedRevision: 'stream_exists' }),
    { outcome: 'appended', revision: -1 },
    'its metadata says where it was truncated',
  );
  const recreated = appended(
    await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream', request: requestOf() }),
  );
  t.is(recreated.revision, 2);
  t.deepEqual(
    (await store.readStream(stream)).map((e) => e.streamRevision),
    [2],
  );
  t.like(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 2 }), { outcome: 'appended', revision: 3 });
});

test('a tombstoned stream reads as empty, and appending to it fails for good, not with the client error', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  appended(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream' }));
  client.tombstone(stream);
  t.deepEqual(await store.readStream(stream), []);
  for (const events of [[newEvent()], []] satisfies NewEvent[][]) {
    const error = await t.throwsAsync(store.append({ streamId: stream, events, expectedRevision: 'any' }));
    t.true(isPermanent(error), `${events.length} event(s): ${String(error)}`);
    t.regex(error?.message ?? '', /deleted for good/);
  }
});

test('an append over the server maximum fails for good, not with the client error', async (t) => {
  const { store } = setUp(fakeStreamsClient({ maxAppendSize: 1_000 }));
  const error = await t.throwsAsync(
    store.append({ streamId: streamId(), events: [newEvent('big.v1', { text: 'x'.repeat(2_000) })], expectedRevision: 'no_stream' }),
  );
  t.true(isPermanent(error));
  t.regex(error?.message ?? '', /maximum append size \(1000 bytes\)/);
});
