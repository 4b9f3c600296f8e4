// The command client against a stand-in server: what it retries, with the same Idempotency-Key, and what it reports.
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLimiter, retryAfterMs, sendCommand, type Api } from './http.ts';
import { createStats } from './stats.ts';

const standIn = async (answers: readonly { status: number; headers?: Record<string, string>; body?: unknown }[]) => {
  const keys: string[] = [];
  const server = createServer((request, response) => {
    keys.push(String(request.headers['idempotency-key']));
    request.resume().on('end', () => {
      const answer = answers[Math.min(keys.length - 1, answers.length - 1)] ?? { status: 500 };
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = (resuming = false): Api => ({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: 'k',
    limit: createLimiter(2),
    stats: createStats(Date.now()),
    resuming,
  });
  return { api, keys, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

const request = { path: '/v1/parcels/p-1/deliver', body: {}, idempotencyKey: 'run:p-1:deliver' };

test('503, 429, a concurrency conflict and a request in flight are retried with the same key until accepted', async (t) => {
  const server = await standIn([
    { status: 503, headers: { 'retry-after': '0' } },
    { status: 429, headers: { 'retry-after': '0' } },
    { status: 409, body: { type: '/problems/concurrency-conflict' } },
    { status: 409, headers: { 'retry-after': '0' }, body: { type: '/problems/request-in-flight' } },
    { status: 202, body: { id: 'p-1' } },
  ]);
  const api = server.api();
  const outcome = await sendCommand(api, request);
  await server.close();
  t.like(outcome, { ok: true, replayed: false });
  t.deepEqual(server.keys, Array(5).fill('run:p-1:deliver'));
  t.is(api.stats.commandsSent, 5);
  t.is(api.stats.commandsAccepted, 1);
  t.deepEqual([...api.stats.byStatus.keys()].sort(), [202, 409, 429, 503]);
});

test('a refusal is final and reported with its problem details', async (t) => {
  const server = await standIn([
    { status: 409, body: { type: '/problems/rule-violated', code: 'ParcelAlreadyDelivered', detail: 'the parcel is Delivered' } },
  ]);
  const api = server.api();
  const outcome = await sendCommand(api, request);
  await server.close();
  t.like(outcome, { ok: false, status: 409, explained: false });
  t.deepEqual(api.stats.unexpected, [
    {
      method: 'POST',
      path: request.path,
      status: 409,
      problem: '/problems/rule-violated ParcelAlreadyDelivered "the parcel is Delivered"',
    },
  ]);
});

test('a resumed run meeting its own earlier work is not an error', async (t) => {
  const server = await standIn([{ status: 409, body: { type: '/problems/rule-violated', code: 'ParcelAlreadyDelivered' } }]);
  const api = server.api(true);
  const outcome = await sendCommand(api, request);
  await server.close();
  t.like(outcome, { ok: false, explained: true });
  t.deepEqual(api.stats.unexpected, []);
  t.is(api.stats.explainedByRerun, 1);
});

test('Retry-After is read as seconds or as a date, and capped', (t) => {
  t.is(retryAfterMs('2'), 2000);
  t.is(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  t.is(retryAfterMs('3600'), 60_000);
  t.is(retryAfterMs('soon'), undefined);
  t.is(retryAfterMs(null), undefined);
});
