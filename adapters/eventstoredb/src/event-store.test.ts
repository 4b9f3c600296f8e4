// The adapter's pure parts, without a server: the mappings to and from the client's types, and the
// subscription's batching driven by a fake $all stream. The contract itself runs in event-store.int.test.ts.
import type { AllStreamJSONRecordedEvent, AllStreamSubscription, Position, SubscribeToAllOptions } from '@eventstore/db-client';
import { matchesFilter, type LogBatch, type NewEvent, type ReadAllOptions, type SubscribeOptions } from '@meridian/kernel';
import { newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { Transform } from 'node:stream';
import {
  actualRevisionOf,
  esdbExpectedRevisionOf,
  eventDataOf,
  exactCheckpointOf,
  globalPositionOf,
  isSystemRecord,
  readPositionAfter,
  requestIdentityOf,
  revisionAccepts,
  serverFilterOf,
  storedEventOf,
} from './mapping.ts';
import { subscribeToLog } from './subscription.ts';

const at = (commit: number): Position => ({ commit: BigInt(commit), prepare: BigInt(commit) });

/** What the server gives back for an event written with eventDataOf: JSON in, JSON out. */
const recordOf = (
  event: NewEvent,
  streamId: string,
  revision: number,
  position: number,
  request?: Parameters<typeof eventDataOf>[1],
): AllStreamJSONRecordedEvent => {
  const data = eventDataOf(event, request);
  return {
    id: data.id,
    streamId,
    type: data.type,
    revision: BigInt(revision),
    created: new Date('2026-05-01T10:00:00.000Z'),
    isJson: true,
    data: JSON.parse(JSON.stringify(data.data)),
    metadata: JSON.parse(JSON.stringify(data.metadata)),
    position: at(position),
  };
};

test('expected revisions map to the client constants, exact ones to bigints', (t) => {
  t.is(esdbExpectedRevisionOf('no_stream'), 'no_stream');
  t.is(esdbExpectedRevisionOf('stream_exists'), 'stream_exists');
  t.is(esdbExpectedRevisionOf('any'), 'any');
  t.is(esdbExpectedRevisionOf(0), 0n);
  t.is(esdbExpectedRevisionOf(41), 41n);
  t.throws(() => esdbExpectedRevisionOf(-1), { instanceOf: RangeError });
  t.throws(() => esdbExpectedRevisionOf(1.5), { instanceOf: RangeError });
});

test('an actual revision from a conflict maps back, and the expectation check matches the server', (t) => {
  t.is(actualRevisionOf('no_stream'), 'no_stream');
  t.is(actualRevisionOf(7n), 7);
  t.true(revisionAccepts('any', 'no_stream'));
  t.true(revisionAccepts('no_stream', 'no_stream'));
  t.false(revisionAccepts('no_stream', 0));
  t.true(revisionAccepts('stream_exists', 0));
  t.false(revisionAccepts('stream_exists', 'no_stream'));
  t.true(revisionAccepts(3, 3));
  t.false(revisionAccepts(3, 'no_stream'));
});

test('positions: the commit position as a number, reads from just after it, 0 from the start', (t) => {
  t.is(globalPositionOf(at(123_456), 'e'), 123_456);
  t.throws(() => globalPositionOf(undefined, 'e'), { message: /22\.10 or later/ });
  t.throws(() => globalPositionOf({ commit: 0n, prepare: 0n }, 'e'), { message: /without its log position/ });
  t.throws(() => globalPositionOf({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n }, 'e'), { message: /without its log position/ });
  t.throws(() => globalPositionOf({ commit: 2n ** 53n, prepare: 2n ** 53n }, 'e'), { instanceOf: RangeError });
  t.is(readPositionAfter(0), 'start');
  t.deepEqual(readPositionAfter(4096), at(4096));
  t.throws(() => readPositionAfter(-1), { instanceOf: RangeError });
  t.is(exactCheckpointOf(at(900)), 900);
  t.is(exactCheckpointOf({ commit: 900n, prepare: 0n }), undefined);
  t.is(exactCheckpointOf({ commit: 0n, prepare: 0n }), 0);
});

test('an event is written as JSON with the envelope in its metadata, and reads back as the same envelope', (t) => {
  const event = newEvent('parcel.registered.v1', { id: 'p-1', nested: { weight: 2.5, tags: ['a'] } });
  const data = eventDataOf({ ...event, schemaVersion: 3 });
  t.like(data, { id: event.eventId, type: 'parcel.registered.v1', contentType: 'application/json', data: event.data });
  t.deepEqual(data.metadata, {
    schemaVersion: 3,
    metadata: event.metadata,
    $correlationId: event.metadata.correlationId,
    $causationId: event.metadata.causationId,
  });

  const stored = storedEventOf(recordOf({ ...event, schemaVersion: 3 }, 'parcel-p-1', 4, 8_000), 8_000);
  t.deepEqual(stored.event, {
    eventId: event.eventId,
    type: 'parcel.registered.v1',
    schemaVersion: 3,
    streamId: 'parcel-p-1',
    streamRevision: 4,
    globalPosition: 8_000,
    recordedAt: '2026-05-01T10:00:00.000Z',
    data: event.data,
    metadata: event.metadata,
  });
  t.is(stored.request, undefined);
});

test('the request of an append is recorded beside the envelope, which stays as it was', (t) => {
  const event = newEvent();
  const request = { requestId: 'r-1', fingerprint: 'f-1', appendId: 'a-1' };
  const stored = storedEventOf(recordOf(event, 'route-1', 0, 100, request), 100);
  t.deepEqual(stored.request, request);
  t.deepEqual(stored.event.metadata, event.metadata);
  t.deepEqual(requestIdentityOf(stored), request);

  // Without the adapter's record, the envelope's own request id still identifies the request.
  const enveloped = { ...event, metadata: { ...event.metadata, requestId: 'r-2', requestFingerprint: 'f-2' } };
  t.deepEqual(requestIdentityOf(storedEventOf(recordOf(enveloped, 'route-1', 1, 200), 200)), { requestId: 'r-2', fingerprint: 'f-2' });
  t.is(requestIdentityOf(storedEventOf(recordOf(event, 'route-1', 2, 300), 300)), undefined);
});

test('data that is not a JSON object, array or string, and foreign events, fail loudly', (t) => {
  t.throws(() => eventDataOf({ ...newEvent(), data: 42 }), { instanceOf: TypeError });
  const foreign = { ...recordOf(newEvent(), 'parcel-1', 0, 10), metadata: { $correlationId: 'x' } };
  t.throws(() => storedEventOf(foreign, 10), { message: /not a Meridian event/ });
  t.throws(() => storedEventOf({ ...recordOf(newEvent(), 'parcel-1', 0, 10), isJson: false }, 10), { message: /not a Meridian event/ });
});

test('system events: $ types and $ streams', (t) => {
  t.true(isSystemRecord({ type: '$statsCollected', streamId: '$stats-127.0.0.1:2113' }));
  t.true(isSystemRecord({ type: '$>', streamId: '$ce-parcel' }));
  t.true(isSystemRecord({ type: 'Result', streamId: '$projections-x-result' }));
  t.false(isSystemRecord({ type: 'parcel.registered.v1', streamId: 'parcel-1' }));
});

test('the server filters on event types first, else on the stream prefix, else drops system events', (t) => {
  const checkpoints = { checkpointInterval: 32, checkpointReached: async () => {} };
  t.like(serverFilterOf({ eventTypes: ['a.v1', 'b.v1'], streamPrefix: 'parcel-' }, checkpoints), {
    filterOn: 'eventType',
    prefixes: ['a.v1', 'b.v1'],
    checkpointInterval: 32,
  });
  t.like(serverFilterOf({ streamPrefix: 'parcel-' }, checkpoints), { filterOn: 'streamName', prefixes: ['parcel-'] });
  t.like(serverFilterOf({ eventTypes: [], streamPrefix: 'route-' }, checkpoints), { filterOn: 'streamName', prefixes: ['route-'] });
  t.like(serverFilterOf(undefined, checkpoints), { filterOn: 'eventType', regex: '^[^$].*' });
  t.is(serverFilterOf(undefined, checkpoints).checkpointReached, checkpoints.checkpointReached);
});

// ---- the subscription, against a fake $all stream ----

type FakeServer = {
  readonly subscribeToAll: (options: SubscribeToAllOptions) => AllStreamSubscription;
  /** $all as a read sees it (readLog's answer): every record sent so far, filtered on our side. */
  readonly readAll: (options: ReadAllOptions) => Promise<LogBatch>;
  readonly readsOfAll: () => number;
  readonly options: () => SubscribeToAllOptions | undefined;
  /** Appends a record to $all and sends it to the subscription. */
  readonly send: (record: AllStreamJSONRecordedEvent) => void;
  /** Appends a record to $all that the subscription is not sent (yet, or ever: the server's filter refuses it). */
  readonly skip: (record: AllStreamJSONRecordedEvent) => void;
  /** Sends a record already in $all. */
  readonly deliver: (record: AllStreamJSONRecordedEvent) => void;
  readonly checkpoint: (position: Position) => void;
  readonly caughtUp: () => void;
  readonly unsubscribed: () => boolean;
};

type Wire = { readonly event: AllStreamJSONRecordedEvent } | { readonly checkpoint: Position };

/**
 * Mirrors the client's Subscription: one Transform for everything the server sends, which pushes events on
 * and awaits the checkpoint callback before it takes the next message.
 */
const fakeServer = (): FakeServer => {
  let given: SubscribeToAllOptions | undefined;
  let unsubscribed = false;
  let readsOfAll = 0;
  const log: AllStreamJSONRecordedEvent[] = [];
  const wire = new Transform({
    objectMode: true,
    transform: (message: Wire, _encoding, next) => {
      if ('event' in message) return next(null, { event: message.event });
      void Promise.resolve(given?.filter?.checkpointReached?.(stream, message.checkpoint)).then(() => next());
    },
  });
  const stream: AllStreamSubscription = Object.assign(wire, {
    unsubscribe: async () => {
      unsubscribed = true;
    },
  });
  const write = (message: Wire) => void wire.write(message);
  const positionOf = (record: AllStreamJSONRecordedEvent) => Number(record.position.commit);
  return {
    subscribeToAll: (options) => {
      given = options;
      return stream;
    },
    readAll: async ({ after, filter }) => {
      readsOfAll++;
      const ahead = log.filter((record) => positionOf(record) > after);
      const next = ahead.find((record) => !isSystemRecord(record) && matchesFilter(filter, record));
      if (next !== undefined) return { events: [storedEventOf(next, positionOf(next)).event], position: positionOf(next), endOfLog: false };
      return { events: [], position: Math.max(after, ...ahead.map(positionOf)), endOfLog: true };
    },
    readsOfAll: () => readsOfAll,
    options: () => given,
    send: (event) => {
      log.push(event);
      write({ event });
    },
    skip: (event) => void log.push(event),
    deliver: (event) => write({ event }),
    checkpoint: (checkpoint) => write({ checkpoint }),
    caughtUp: () => void stream.emit('caughtUp'),
    unsubscribed: () => unsubscribed,
  };
};

/** Runs a subscription until `done` holds of what it yielded, then aborts it; returns every batch. */
const subscribeUntil = async (
  server: FakeServer,
  options: Omit<SubscribeOptions, 'signal'>,
  feed: () => Promise<void>,
  done: (batches: readonly LogBatch[]) => boolean,
  lastEventBefore: (commit: bigint) => Promise<number> = async () => 0,
  consumerDelay = 0,
  quietMs = 60_000,
) => {
  const controller = new AbortController();
  const batches: LogBatch[] = [];
  const consume = (async () => {
    const deps = {
      subscribeToAll: server.subscribeToAll,
      readAll: server.readAll,
      lastEventBefore,
      track: () => () => {},
      closed: () => false,
      quietMs,
    };
    for await (const batch of subscribeToLog(deps, { ...options, signal: controller.signal })) {
      batches.push(batch);
      if (done(batches)) controller.abort();
      if (consumerDelay > 0) await new Promise((resolve) => setTimeout(resolve, consumerDelay));
    }
  })();
  await new Promise((resolve) => setImmediate(resolve));
  await feed();
  await Promise.race([
    consume,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`stuck after ${JSON.stringify(batches.slice(-3))}`)), 10_000)),
  ]);
  return batches;
};

test('a subscription delivers events after its position once, drops system events, and ends on abort', async (t) => {
  const server = fakeServer();
  const events = [newEvent('a.v1'), newEvent('a.v1'), newEvent('a.v1'), newEvent('a.v1')];
  const batches = await subscribeUntil(
    server,
    { after: 100, batchSize: 2 },
    async () => {
      server.send(recordOf(events[0]!, 'parcel-1', 0, 100)); // the position itself: already seen
      server.send(recordOf(events[1]!, 'parcel-1', 1, 150));
      server.send({ ...recordOf(newEvent(), '$stats-1', 0, 160), type: '$statsCollected' });
      server.send(recordOf(events[2]!, 'parcel-1', 2, 170));
      server.send(recordOf(events[1]!, 'parcel-1', 1, 150)); // a repeat: never yielded twice
      server.checkpoint(at(170));
      server.caughtUp();
      await new Promise((resolve) => setTimeout(resolve, 20));
      server.send(recordOf(events[3]!, 'parcel-1', 3, 180)); // live
    },
    (batches) => batches.some((b) => b.position === 180),
  );
  t.deepEqual(server.options()?.fromPosition, at(100));
  t.deepEqual(
    batches.flatMap((b) => b.events.map((e) => e.eventId)),
    events.slice(1).map((e) => e.eventId),
  );
  t.true(batches.every((b) => b.events.length <= 2));
  const caughtUp = batches.findIndex((b) => b.endOfLog);
  t.deepEqual(
    batches[caughtUp],
    { events: [], position: 170, endOfLog: true },
    'the end of the log is reported when the server says so, even with nothing new',
  );
  t.deepEqual(
    batches.slice(caughtUp + 1),
    [{ events: [batches[batches.length - 1]!.events[0]!], position: 180, endOfLog: true }],
    'then live',
  );
  t.true(server.unsubscribed());
});

// Servers before 24.2 never send caughtUp: the subscription asks the log once nothing has arrived for a while.

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

test('without the server saying so, a quiet subscription learns from the log that it caught up, past what its filter skips', async (t) => {
  const server = fakeServer();
  const wanted = newEvent('a.v1');
  const batches = await subscribeUntil(
    server,
    { after: 100, filter: { eventTypes: ['a.v1'] } },
    async () => {
      server.send(recordOf(wanted, 'parcel-1', 0, 150));
      server.skip(recordOf(newEvent('b.v1'), 'parcel-2', 0, 180)); // refused by the server's filter
      server.skip({ ...recordOf(newEvent(), '$stats-1', 0, 190), type: '$statsCollected' });
    },
    (batches) => batches.some((b) => b.endOfLog),
    undefined,
    0,
    30,
  );
  t.deepEqual(
    batches.flatMap((b) => b.events.map((e) => e.eventId)),
    [wanted.eventId],
  );
  t.deepEqual(batches[batches.length - 1], { events: [], position: 190, endOfLog: true });
  t.true(batches.slice(0, -1).every((b) => !b.endOfLog));
});

test('quiet is not the end while the log holds an event the subscription has still to deliver', async (t) => {
  const server = fakeServer();
  const late = recordOf(newEvent('a.v1'), 'parcel-1', 0, 150);
  const batches = await subscribeUntil(
    server,
    { after: 100 },
    async () => {
      server.skip(late); // in the log, not sent yet: a slow server
      await until(() => server.readsOfAll() >= 2);
      server.deliver(late);
    },
    (batches) => batches.some((b) => b.endOfLog),
    undefined,
    0,
    20,
  );
  t.deepEqual(batches, [
    { events: [batches[0]!.events[0]!], position: 150, endOfLog: false },
    { events: [], position: 150, endOfLog: true },
  ]);
  t.is(batches[0]!.events[0]!.eventId, late.id);
});

test('a subscription from the head of a log with nothing after it reports the end once quiet', async (t) => {
  const server = fakeServer();
  const batches = await subscribeUntil(
    server,
    { after: 500 },
    async () => {},
    (batches) => batches.length > 0,
    undefined,
    0,
    20,
  );
  t.deepEqual(batches, [{ events: [], position: 500, endOfLog: true }]);
});

test('a failed read of the log while quiet only delays the end of the log', async (t) => {
  const server = fakeServer();
  let failures = 1;
  const flaky: FakeServer = {
    ...server,
    readAll: async (options) => {
      if (failures-- > 0) throw new Error('14 UNAVAILABLE: connection dropped');
      return server.readAll(options);
    },
  };
  const batches = await subscribeUntil(
    flaky,
    { after: 500 },
    async () => {},
    (batches) => batches.length > 0,
    undefined,
    0,
    20,
  );
  t.deepEqual(batches, [{ events: [], position: 500, endOfLog: true }]);
  t.is(server.readsOfAll(), 1, 'asked again at the next quiet moment');
});

test('a subscription checks the whole filter itself, and moves on with checkpoints past skipped events', async (t) => {
  const server = fakeServer();
  const wanted = newEvent('a.v1');
  const asked: bigint[] = [];
  const batches = await subscribeUntil(
    server,
    { after: 0, filter: { eventTypes: ['a.v1'], streamPrefix: 'parcel-' } },
    async () => {
      server.send(recordOf(newEvent('a.v10'), 'parcel-1', 0, 50)); // matches the server's prefix only
      server.send(recordOf(newEvent('a.v1'), 'route-1', 0, 60)); // the other criterion
      server.send(recordOf(wanted, 'parcel-2', 0, 70));
      server.checkpoint({ commit: 500n, prepare: 0n }); // scanned up to the record at 500
      server.checkpoint(at(900)); // an event's position: exact
    },
    (batches) => batches[batches.length - 1]?.position === 900,
    async (commit) => {
      asked.push(commit);
      return 480;
    },
  );
  t.is(server.options()?.fromPosition, 'start');
  t.like(server.options()?.filter, { filterOn: 'eventType', prefixes: ['a.v1'] });
  t.deepEqual(
    batches.flatMap((b) => b.events.map((e) => e.eventId)),
    [wanted.eventId],
  );
  const positions = batches.map((b) => b.position);
  t.deepEqual(
    positions,
    [...positions].sort((a, b) => a - b),
    'positions never go back',
  );
  t.true(batches.every((b) => b.position >= 70 || b.events.length === 0));
  t.is(positions[positions.length - 1], 900);
  t.true(asked.every((commit) => commit === 500n));
});

test('a slow consumer pauses the subscription, and a checkpoint behind buffered events keeps its place', async (t) => {
  const server = fakeServer();
  // Just past the inbox's high-water mark (1000): the pause lands while the checkpoint is in the client.
  const events = Array.from({ length: 1005 }, (_, i) => recordOf(newEvent('a.v1', { i }), 'parcel-1', i, 1000 + i * 10));
  const batches = await subscribeUntil(
    server,
    { after: 0, batchSize: 100 },
    async () => {
      for (const event of events) server.send(event);
      server.checkpoint(at(99_000));
    },
    (batches) => batches[batches.length - 1]?.position === 99_000,
    undefined,
    20,
  );
  const seen = batches.flatMap((b) => b.events.map((e) => e.streamRevision));
  t.deepEqual(
    seen,
    events.map((_, i) => i),
    'every event, in order, none dropped by an early checkpoint',
  );
  const positions = batches.map((b) => b.position);
  t.deepEqual(
    positions,
    [...positions].sort((a, b) => a - b),
  );
  t.is(positions[positions.length - 1], 99_000);
});

test('a subscription aborted before it starts never subscribes', async (t) => {
  const server = fakeServer();
  const controller = new AbortController();
  controller.abort();
  const deps = {
    subscribeToAll: server.subscribeToAll,
    readAll: server.readAll,
    lastEventBefore: async () => 0,
    track: () => () => {},
    closed: () => false,
  };
  for await (const _ of subscribeToLog(deps, { after: 0, signal: controller.signal })) t.fail('no batch expected');
  t.is(server.options(), undefined);
});
