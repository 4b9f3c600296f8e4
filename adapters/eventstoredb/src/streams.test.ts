// Appends and stream reads without a server: against a fake of the client's stream calls
// (fake-streams-client.ts), which behaves as an EventStoreDB server does where the adapter depends on it.
// No EventStoreDB can run on this machine; the contract suite (event-store.int.test.ts) runs against a
// real one when EVENTSTORE_CONNECTION_STRING is set.
import { ConsumerFailure, type AppendResult, type NewEvent, type RequestIdentity } from '@meridian/kernel';
import { newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { fakeStreamsClient, type FakeStreamsClient, type Read } from './fake-streams-client.ts';
import { requestStreamPrefix } from './requests.ts';
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

// ---- 2: an append with a request reads only what it must ----

/** Which stream each read went to (the target, the request's stream, or another) and how. */
const readsOf = (reads: readonly Read[], target: string) =>
  reads.map(({ streamId, options }) => ({
    stream: streamId === target ? 'target' : streamId.startsWith(requestStreamPrefix) ? 'request' : streamId,
    ...options,
  }));

const appendsDuring = async <A>(client: FakeStreamsClient, run: () => Promise<A>) => {
  const before = client.appends();
  const { result, reads } = await readsDuring(client, run);
  return { result, reads, appends: client.appends() - before };
};

test('an append with a request reads its request stream and its own events back, nothing more', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  const created = await appendsDuring(client, () =>
    store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream', request: requestOf() }),
  );
  t.like(created.result, { outcome: 'appended', revision: 0 });
  t.deepEqual(
    readsOf(created.reads, stream),
    [
      { stream: 'request', fromRevision: 0n, requiresLeader: true },
      { stream: 'target', fromRevision: 0n, maxCount: 1, requiresLeader: true },
    ],
    'no head read for no_stream, the intent not read back, the events read back once',
  );
  t.is(created.appends, 2, 'the intent and the events');

  // As the command handler does: read the stream, append at its revision.
  const history = await store.readStream(stream);
  const next = await appendsDuring(client, () =>
    store.append({ streamId: stream, events: [newEvent(), newEvent()], expectedRevision: history.length - 1, request: requestOf() }),
  );
  t.like(next.result, { outcome: 'appended', revision: 2 });
  t.deepEqual(
    readsOf(next.reads, stream),
    [
      { stream: 'request', fromRevision: 0n, requiresLeader: true },
      { stream: 'target', fromRevision: 1n, maxCount: 2, requiresLeader: true },
    ],
    'no head read: the stream was read at that revision',
  );
  t.is(next.appends, 2);

  const plain = await appendsDuring(client, () => store.append({ streamId: stream, events: [newEvent()], expectedRevision: 2 }));
  t.is(plain.reads.length, 1, 'a plain append reads its events back and nothing else');
  t.is(plain.appends, 1);
});

test('a request at a revision this process has not seen the stream at reads the head once; a retry reads the request stream and the events', async (t) => {
  const { client, store, otherProcess } = setUp();
  const stream = streamId();
  appended(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream' }));
  const other = otherProcess();
  const request = requestOf();
  const events = [newEvent()];
  const unseen = await appendsDuring(client, () => other.append({ streamId: stream, events, expectedRevision: 0, request }));
  t.like(unseen.result, { outcome: 'appended', revision: 1 });
  t.deepEqual(
    readsOf(unseen.reads, stream).map((read) => read.stream),
    ['request', 'target', 'target'],
    'the request stream, the head, the events back',
  );
  const retry = await appendsDuring(client, () => store.append({ streamId: stream, events, expectedRevision: 0, request }));
  t.like(retry.result, { outcome: 'duplicate', record: { answer: { kind: 'appended', revision: 1 } } });
  t.deepEqual(
    readsOf(retry.reads, stream),
    [
      { stream: 'request', fromRevision: 0n, requiresLeader: true },
      { stream: 'target', fromRevision: 1n, maxCount: 1, requiresLeader: true },
    ],
    'the intent found, and its events in the stream',
  );
  t.is(retry.appends, 0);
});

test("a request's intent whose write timed out is judged from the request stream: carried on if stored, else nothing is appended", async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  client.failNextAppend('timeout after writing');
  t.like(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream', request: requestOf() }), {
    outcome: 'appended',
    revision: 0,
  });
  client.failNextAppend('timeout before writing');
  const request = requestOf();
  const lost = await t.throwsAsync(store.append({ streamId: stream, events: [newEvent()], expectedRevision: 0, request }));
  t.true(lost instanceof ConsumerFailure && lost.kind === 'transient');
  t.is(client.events(stream).length, 1);
  t.is(await store.findRequest(request.requestId), undefined, 'nothing recorded');
});

test('an append expecting a revision the stream has not reached is refused without an intent, so it is never carried out later', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  appended(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'no_stream' }));
  const request = requestOf();
  const ahead = await appendsDuring(client, () => store.append({ streamId: stream, events: [newEvent()], expectedRevision: 2, request }));
  t.like(ahead.result, { outcome: 'wrong_expected_revision', actual: 0 });
  t.is(ahead.appends, 0, 'no intent written');
  // The stream reaches that revision; the request's next attempt decides afresh instead of finding a pending intent.
  appended(await store.append({ streamId: stream, events: [newEvent(), newEvent()], expectedRevision: 0 }));
  t.is(await store.findRequest(request.requestId), undefined);
  t.like(await store.recordDecision(request, { kind: 'unchanged', streamId: stream, revision: 2 }), { recorded: true });
  t.is(client.events(stream).length, 3, 'the refused events were never appended');
});

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

test('stream_exists with a request holds for a stream that has only metadata, as without one', async (t) => {
  const { client, store } = setUp();
  const stream = streamId();
  client.setMetadata(stream);
  t.like(await store.append({ streamId: stream, events: [newEvent()], expectedRevision: 'stream_exists', request: requestOf() }), {
    outcome: 'appended',
    revision: 0,
  });
  const bare = streamId();
  t.like(await store.append({ streamId: bare, events: [newEvent()], expectedRevision: 'stream_exists', request: requestOf() }), {
    outcome: 'wrong_expected_revision',
    actual: 'no_stream',
  });
  t.deepEqual(client.events(bare), []);
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
