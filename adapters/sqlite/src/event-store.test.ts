import type { Decision } from '@meridian/kernel';
import { eventStoreContract, newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSqliteEventStore } from './event-store.ts';

const directory = mkdtempSync(join(tmpdir(), 'meridian-sqlite-events-'));
let files = 0;

eventStoreContract(test, {
  name: 'SQLite',
  open: async () => createSqliteEventStore({ path: join(directory, `events-${files++}.db`) }),
});

// Two stores on one file stand for two processes: two writer threads, two connections, SQLite's own lock
// between them. A request id raced from both still ends with one answer.
test('SQLite event store: two stores on one file racing appends and decisions of one request id agree on one answer', async (t) => {
  const path = join(directory, `events-${files++}.db`);
  const [one, two] = [createSqliteEventStore({ path }), createSqliteEventStore({ path })];
  t.teardown(async () => (await one.close(), await two.close()));
  for (let round = 0; round < 6; round++) {
    const streamId = `counter-${round}`;
    const request = { requestId: `principal/key-${round}`, fingerprint: 'same' };
    const events = [newEvent()];
    const decision: Decision = { kind: 'refused', streamId, refusal: { _tag: 'StreamNotFound', streamId } };
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const store = i % 2 === 0 ? one : two;
        return (i + round) % 3 === 0
          ? store.append({ streamId, events, expectedRevision: 'no_stream', request })
          : store.recordDecision(request, decision);
      }),
    );
    const stored = await one.findRequest(request.requestId);
    t.deepEqual(await two.findRequest(request.requestId), stored);
    for (const attempt of attempts)
      if ('record' in attempt) t.deepEqual(attempt.record, stored);
      else if (attempt.outcome === 'appended') t.like(stored?.answer, { kind: 'appended', events: attempt.events });
      else t.fail(`an attempt ended without an answer: ${JSON.stringify(attempt)}`);
    t.is((await one.readStream(streamId)).length, stored?.answer.kind === 'appended' ? 1 : 0);
  }
});

test('SQLite event store: request rows written before decisions were recorded still read as appends', async (t) => {
  const path = join(directory, `events-${files++}.db`);
  const store = createSqliteEventStore({ path });
  t.teardown(() => store.close());
  const events = [{ eventId: 'e-1', type: 'counter.opened.v1', streamRevision: 0, globalPosition: 1 }];
  const legacy = new DatabaseSync(path);
  legacy
    .prepare('INSERT INTO requests (request_id, fingerprint, stream_id, result) VALUES (?, ?, ?, ?)')
    .run('old/key', 'fp', 'counter-1', JSON.stringify({ revision: 0, events }));
  legacy.close();
  t.deepEqual(await store.findRequest('old/key'), {
    fingerprint: 'fp',
    answer: { kind: 'appended', streamId: 'counter-1', revision: 0, events },
  });
});
