// The event store contract, part two: request records. A request id's first decided answer (an append, or a
// decision that appended nothing) is kept first-wins, and every later append or decision of that id gets it
// back, also when they race. Every adapter runs these through eventStoreContract.
import type { ExecutionContext, TestFn } from 'ava';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { AppendResult, Decision, EventStore, RecordedDecision, RequestAnswer, RequestIdentity } from '../event-store.ts';
import { newEvent, unique, type EventStoreContract } from './contract-events.ts';

const appended = (result: AppendResult) => {
  if (result.outcome !== 'appended') throw new Error(`expected an append, got ${JSON.stringify(result)}`);
  return result;
};

const requestOf = (fingerprint = 'f1'): RequestIdentity => ({ requestId: `${randomUUID()}/key`, fingerprint });

const refusal = (streamId: string): Decision => ({
  kind: 'refused',
  streamId,
  refusal: {
    _tag: 'CommandRejected',
    error: {
      _tag: 'LimitExceeded',
      message: 'the counter cannot go above 100',
      detail: { limit: 100, asked: [95, 10], nested: { ok: false } },
    },
  },
});

/** The answer an attempt at a request ended with, whichever way it went. */
const answerOf = (result: AppendResult | RecordedDecision): RequestAnswer => {
  if ('record' in result) return result.record.answer;
  if (result.outcome === 'appended')
    return { kind: 'appended', streamId: result.streamId, revision: result.revision, events: result.events };
  throw new Error(`an attempt ended without an answer: ${JSON.stringify(result)}`);
};

const withStore =
  (open: () => Promise<EventStore>, body: (store: EventStore, t: ExecutionContext) => Promise<void>) => async (t: ExecutionContext) => {
    const store = await open();
    try {
      await body(store, t);
    } finally {
      await store.close();
    }
  };

export const requestRecordsContract = (test: TestFn, { name, open }: EventStoreContract): void => {
  const title = (t: string) => `${name} event store: ${t}`;

  test(
    title('idempotent requests: a retry appends nothing and returns the first result, also when concurrent'),
    withStore(open, async (store, t) => {
      const streamId = unique('parcel');
      const request = requestOf('f1');
      const events = [newEvent(), newEvent()];
      const first = appended(await store.append({ streamId, events, expectedRevision: 'no_stream', request }));
      const record = { fingerprint: 'f1', answer: { kind: 'appended', streamId, revision: first.revision, events: first.events } };
      t.deepEqual(await store.append({ streamId, events, expectedRevision: 'no_stream', request }), { outcome: 'duplicate', record });
      t.deepEqual(await store.findRequest(request.requestId), record);
      // The id reused for another request, even on another stream: the first record, whose fingerprint differs.
      t.deepEqual(await store.append({ streamId, events: [newEvent()], expectedRevision: 1, request: { ...request, fingerprint: 'f2' } }), {
        outcome: 'duplicate',
        record,
      });
      t.deepEqual(
        await store.append({
          streamId: unique('parcel'),
          events: [newEvent()],
          expectedRevision: 'no_stream',
          request: { ...request, fingerprint: 'f3' },
        }),
        { outcome: 'duplicate', record },
      );
      t.is((await store.readStream(streamId)).length, 2);

      const concurrentStream = unique('parcel');
      const concurrentRequest = requestOf('same');
      const concurrentEvents = [newEvent()];
      const results = await Promise.all(
        Array.from({ length: 12 }, () =>
          store.append({ streamId: concurrentStream, events: concurrentEvents, expectedRevision: 'no_stream', request: concurrentRequest }),
        ),
      );
      t.is(results.filter((r) => r.outcome === 'appended').length, 1);
      t.true(results.every((r) => r.outcome !== 'wrong_expected_revision' || r.actual === 0));
      t.is((await store.readStream(concurrentStream)).length, 1);
    }),
  );

  test(
    title("a decision that appended nothing is its request id's answer: kept first-wins, given to appends and decisions after it"),
    withStore(open, async (store, t) => {
      t.is(await store.findRequest(requestOf().requestId), undefined, 'an unknown request id has no answer');
      const streamId = unique('counter');
      const request = requestOf('f1');
      const refused = refusal(streamId);
      const record = { fingerprint: 'f1', answer: refused };
      t.deepEqual(await store.recordDecision(request, refused), { record, recorded: true });
      t.deepEqual(await store.findRequest(request.requestId), record, 'the refusal as it was recorded, detail and all');
      const unchanged: Decision = { kind: 'unchanged', streamId, revision: -1 };
      t.deepEqual(await store.recordDecision(request, unchanged), { record, recorded: false }, 'a second decision gets the first back');
      t.deepEqual(
        await store.recordDecision({ ...request, fingerprint: 'f2' }, unchanged),
        { record, recorded: false },
        'and so does another request with the id',
      );
      t.deepEqual(
        await store.append({ streamId, events: [newEvent()], expectedRevision: 'no_stream', request }),
        { outcome: 'duplicate', record },
        'an append of the request appends nothing',
      );
      t.deepEqual(await store.readStream(streamId), []);

      // Every kind of decision round-trips.
      for (const decision of [
        unchanged,
        { kind: 'unchanged', streamId, revision: 7 },
        { kind: 'refused', streamId, refusal: { _tag: 'StreamNotFound', streamId } },
        { kind: 'refused', streamId, refusal: { _tag: 'StreamAlreadyExists', streamId } },
        {
          kind: 'refused',
          streamId,
          refusal: { _tag: 'CommandRejected', error: { _tag: 'ParcelAlreadyDelivered', message: 'delivered already' } },
        },
      ] satisfies Decision[]) {
        const other = requestOf('fx');
        t.deepEqual(await store.recordDecision(other, decision), { record: { fingerprint: 'fx', answer: decision }, recorded: true });
        t.deepEqual(await store.findRequest(other.requestId), { fingerprint: 'fx', answer: decision });
      }
    }),
  );

  test(
    title('a decision recorded after its request appended gets the appended answer back'),
    withStore(open, async (store, t) => {
      const streamId = unique('counter');
      const request = requestOf('f1');
      const first = appended(await store.append({ streamId, events: [newEvent()], expectedRevision: 'no_stream', request }));
      const answer = { kind: 'appended', streamId, revision: first.revision, events: first.events };
      t.deepEqual(await store.recordDecision(request, refusal(streamId)), { record: { fingerprint: 'f1', answer }, recorded: false });
      t.deepEqual(await store.findRequest(request.requestId), { fingerprint: 'f1', answer });
    }),
  );

  test(
    title('concurrent decisions of one request id: one is recorded, and every attempt gets it'),
    withStore(open, async (store, t) => {
      const streamId = unique('counter');
      const requestId = `${randomUUID()}/key`;
      const decisions: Decision[] = Array.from({ length: 16 }, (_, i) =>
        i % 2 === 0 ? refusal(streamId) : { kind: 'unchanged', streamId, revision: i },
      );
      const results = await Promise.all(
        decisions.map((decision, i) => store.recordDecision({ requestId, fingerprint: `f${i % 3}` }, decision)),
      );
      t.is(results.filter((r) => r.recorded).length, 1);
      const stored = await store.findRequest(requestId);
      t.true(
        results.every((r) => isDeepStrictEqual(r.record, stored)),
        'every attempt was told the one stored record',
      );
    }),
  );

  test(
    title('appends and decisions racing for one request id all end with the same answer, and the log agrees'),
    withStore(open, async (store, t) => {
      for (let round = 0; round < 6; round++) {
        const streamId = unique('counter');
        const request = requestOf('same');
        const events = [newEvent(), newEvent()];
        // Appends and decisions interleaved, starting with either, so both can win.
        const attempts = Array.from({ length: 12 }, (_, i) =>
          (i + round) % 2 === 0
            ? store.append({ streamId, events, expectedRevision: 'no_stream', request })
            : store.recordDecision(request, refusal(streamId)),
        );
        const answers = (await Promise.all(attempts)).map(answerOf);
        const winner = answers[0]!;
        t.true(
          answers.every((answer) => isDeepStrictEqual(answer, winner)),
          `round ${round}: one answer for every attempt`,
        );
        t.deepEqual(await store.findRequest(request.requestId), { fingerprint: 'same', answer: winner });
        const stream = await store.readStream(streamId);
        t.is(stream.length, winner.kind === 'appended' ? 2 : 0, `round ${round}: events exactly when the answer is the append`);
      }
    }),
  );
};
