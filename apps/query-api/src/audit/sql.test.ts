// The audit SQL route's time limit, over real HTTP on a real DuckDB archive: a query that runs past the
// statement timeout is stopped and answered 503 query-timeout, and one whose client leaves is stopped too.
// The archive is watched through its port, to see when a query really ends in it.
import { createDuckDbArchive } from '@meridian/duckdb';
import { keyring, serve, type ApiKey, type RunningServer } from '@meridian/http';
import { silentLogger, type EventArchive } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test, { type ExecutionContext } from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../app.ts';

const auditorKey = 'sql-test-auditor-key-0001';
const apiKeys = [{ key: auditorKey, principal: 'auditor-1', roles: ['auditor'] }] as unknown as ApiKey[];

/** 10^16 rows to add up: it would run for hours. */
const endless = 'SELECT sum(a.range + b.range) AS total FROM range(100000000) a, range(100000000) b';

type Outcome = 'answered' | 'stopped' | 'failed';
type Watched = { readonly archive: EventArchive; readonly started: string[]; readonly ended: { query: string; outcome: Outcome }[] };

/** The archive, with a record of each query's start and end in it. */
const watched = (archive: EventArchive): Watched => {
  const started: string[] = [];
  const ended: Watched['ended'] = [];
  return {
    started,
    ended,
    archive: {
      ...archive,
      sql: async (query, options) => {
        started.push(query);
        try {
          const answer = await archive.sql(query, options);
          ended.push({ query, outcome: E.isRight(answer) ? 'answered' : answer.left.reason === 'cancelled' ? 'stopped' : 'failed' });
          return answer;
        } catch (error) {
          ended.push({ query, outcome: 'failed' });
          throw error;
        }
      },
    },
  };
};

const until = async (condition: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(20);
  return condition();
};

const withApi =
  (timeoutMs: number, run: (t: ExecutionContext, api: RunningServer, archive: Watched) => Promise<void>) => async (t: ExecutionContext) => {
    const archive = await createDuckDbArchive({ path: ':memory:' });
    const store = createSqliteEventStore({ path: ':memory:' });
    const documents = createSqliteDocumentStore({ path: ':memory:' });
    const watching = watched(archive);
    const api = await serve(
      createApp({
        documents,
        store,
        archive: watching.archive,
        findPrincipal: keyring(apiKeys),
        logger: silentLogger,
        auditSqlTimeoutMs: timeoutMs,
      }),
    );
    try {
      await run(t, api, watching);
    } finally {
      await api.close(50);
      await archive.close();
      await documents.close();
      await store.close();
    }
  };

const ask = (api: RunningServer, query: string, signal?: AbortSignal) =>
  fetch(`${api.url}/v1/audit/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${auditorKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    ...(signal !== undefined && { signal }),
  });

test(
  'a query running past the statement timeout is stopped and answered 503 query-timeout; the archive answers the next one',
  withApi(300, async (t, api, archive) => {
    const response = await ask(api, endless);
    t.is(response.status, 503);
    t.is(response.headers.get('content-type'), 'application/problem+json');
    t.like(await response.json(), { type: '/problems/query-timeout', title: 'Query timed out', status: 503 });
    t.deepEqual(archive.ended, [{ query: endless, outcome: 'stopped' }], 'stopped in the archive, not only no longer awaited');
    const next = await ask(api, 'SELECT 42 AS n');
    t.is(next.status, 200);
    t.deepEqual(await next.json(), { columns: ['n'], rows: [[42]] });
  }),
);

test(
  'a query whose client disconnects is stopped in the archive, and the next query is answered',
  withApi(3_600_000, async (t, api, archive) => {
    const client = new AbortController();
    const leaving = ask(api, endless, client.signal).catch((error: unknown) => error);
    t.true(await until(() => archive.started.includes(endless)), 'the query reached the archive');
    client.abort();
    t.true((await leaving) instanceof Error, 'the client left without an answer');
    // Without the cancel the query would run for hours, long past this wait (and the timeout of an hour).
    t.true(await until(() => archive.ended.some((e) => e.query === endless)), 'the query ended in the archive');
    t.deepEqual(archive.ended, [{ query: endless, outcome: 'stopped' }]);
    const next = await ask(api, 'SELECT 43 AS n');
    t.deepEqual(await next.json(), { columns: ['n'], rows: [[43]] });
  }),
);
