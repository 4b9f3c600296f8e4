// The telemetry API through real HTTP: a koa app on an ephemeral port over the embedded queue, and, at the
// end, on to the live map in the embedded SQLite document store.
import type { FieldError } from '@meridian/kernel';
import test, { type ExecutionContext } from 'ava';
import { liveMapQueries } from '@meridian/projections';
import type { TelemetryPing } from '@meridian/vehicle';
import { eventually, keys, rawPing, sqliteDocuments, startApi, startLiveMap, take, type Answer, type TestApi } from './test-fixtures.ts';

const withApi =
  (run: (api: TestApi, t: ExecutionContext) => Promise<void>, queueOptions: { capacity?: number; retryAfterSeconds?: number } = {}) =>
  async (t: ExecutionContext) => {
    const api = await startApi(queueOptions);
    try {
      await run(api, t);
    } finally {
      await api.close();
    }
  };

const isProblem = (answer: Answer, status: number) =>
  answer.status === status &&
  answer.headers.get('content-type') === 'application/problem+json' &&
  typeof answer.body['type'] === 'string' &&
  answer.body['status'] === status;

const pointersOf = (answer: Answer) => ((answer.body['errors'] ?? []) as FieldError[]).map((error) => error.pointer);

test(
  'a valid batch is 202 with the count, and its pings reach the subscription as sent',
  withApi(async (api, t) => {
    const pings = [
      rawPing('v-1', 0),
      rawPing('v-2', 1, { speed: 0, heading: 359.9 }),
      rawPing('v-1', 5, { recordedAt: '2026-11-21T10:00:05+01:00' }),
    ];
    const answer = await api.post({ pings });
    t.is(answer.status, 202);
    t.deepEqual(answer.body, { accepted: 3 });
    t.is(api.queue.size(), 3);
    const received: TelemetryPing[] = await take(api.queue.subscription, 3);
    t.deepEqual(received, pings);
    t.is(api.queue.size(), 0);
  }),
);

test(
  'invalid pings are a 400 problem with a JSON Pointer per field, and nothing of the batch is published',
  withApi(async (api, t) => {
    const pings = [
      rawPing('v-1', 0),
      rawPing('v-2', 0, { speed: 301 }),
      rawPing('bad id!', 0, { heading: 360 }),
      rawPing('v-4', 0, { lat: 91, lng: -181 }),
      rawPing('v-5', 0, { recordedAt: '2026-11-21 09:00:00' }),
      rawPing('v-6', 0, { speed: '30' }),
    ];
    const answer = await api.post({ pings });
    t.true(isProblem(answer, 400));
    t.is(answer.body['type'], '/problems/invalid-request');
    t.deepEqual(pointersOf(answer).sort(), [
      '#/pings/1/speed',
      '#/pings/2/heading',
      '#/pings/2/vehicleId',
      '#/pings/3/lat',
      '#/pings/3/lng',
      '#/pings/4/recordedAt',
      '#/pings/5/speed',
    ]);
    const lat = (answer.body['errors'] as FieldError[]).find((error) => error.pointer === '#/pings/3/lat');
    t.is(lat?.detail, 'must be a latitude in degrees, from -90 to 90');
    const missing = await api.post({ pings: [{ vehicleId: 'v-1', lat: 1, lng: 1 }] });
    t.deepEqual(pointersOf(missing).sort(), ['#/pings/0/heading', '#/pings/0/recordedAt', '#/pings/0/speed']);
    t.is(api.queue.size(), 0);
  }),
);

test(
  'unknown fields are refused, not dropped; the batch holds 1 to 1000 pings',
  withApi(async (api, t) => {
    const unknownInPing = await api.post({ pings: [rawPing('v-1'), rawPing('v-2', 0, { altitude: 12 })] });
    t.true(isProblem(unknownInPing, 400));
    t.deepEqual(pointersOf(unknownInPing), ['#/pings/1/altitude']);
    const unknownAtTop = await api.post({ pings: [rawPing('v-1')], vehicle: 'v-1' });
    t.deepEqual(pointersOf(unknownAtTop), ['#/vehicle']);
    t.deepEqual(pointersOf(await api.post({ pings: [] })), ['#/pings']);
    t.deepEqual(pointersOf(await api.post({ pings: Array.from({ length: 1001 }, (_, i) => rawPing(`v-${i}`)) })), ['#/pings']);
    t.deepEqual(pointersOf(await api.post([rawPing('v-1')])), ['#']);
    t.is(api.queue.size(), 0);
    t.is((await api.post({ pings: Array.from({ length: 1000 }, (_, i) => rawPing(`v-${i}`)) })).status, 202, 'exactly 1000 is fine');
  }),
);

test(
  'malformed JSON is 400 and another media type 415',
  withApi(async (api, t) => {
    const malformed = await api.post('{"pings": [');
    t.true(isProblem(malformed, 400));
    t.is(malformed.body['type'], '/problems/malformed-json');
    const text = await fetch(`${api.url}/v1/telemetry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.driver}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    t.is(text.status, 415);
    t.is(api.queue.size(), 0);
  }),
);

test(
  'no key is 401 with a challenge; a key without a sending role is 403; drivers, dispatchers and admins may send',
  withApi(async (api, t) => {
    const body = { pings: [rawPing('v-1')] };
    const none = await fetch(`${api.url}/v1/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    t.is(none.status, 401);
    t.is(none.headers.get('www-authenticate'), 'Bearer realm="meridian"');
    t.true(isProblem(await api.post(body, { key: 'not-a-real-key-at-all' }), 401));
    t.true(isProblem(await api.post(body, { key: keys.acme }), 403));
    t.true(isProblem(await api.post(body, { key: keys.auditor }), 403));
    t.is(api.queue.size(), 0);
    for (const key of [keys.driver, keys.dispatcher, keys.admin]) t.is((await api.post(body, { key })).status, 202);
    t.is(api.queue.size(), 3);
  }),
);

test(
  'a full queue is 503 with Retry-After, and a refused batch is not half-published',
  withApi(
    async (api, t) => {
      t.is((await api.post({ pings: Array.from({ length: 8 }, (_, i) => rawPing(`v-${i}`)) })).status, 202);
      const refused = await api.post({ pings: Array.from({ length: 3 }, (_, i) => rawPing(`w-${i}`)) });
      t.true(isProblem(refused, 503));
      t.is(refused.body['type'], '/problems/unavailable');
      t.is(refused.headers.get('retry-after'), '2', 'whole seconds, rounded up');
      t.is(api.queue.size(), 8, 'none of the refused batch');
      t.is((await api.post({ pings: [rawPing('w-0'), rawPing('w-1')] })).status, 202, 'a batch that fits still goes in');
      const received = await take(api.queue.subscription, 10);
      t.false(received.some((p) => p.vehicleId === 'w-2'));
    },
    { capacity: 10, retryAfterSeconds: 1.5 },
  ),
);

test(
  'health and the API description answer without a key',
  withApi(async (api, t) => {
    t.is((await fetch(`${api.url}/healthz`)).status, 200);
    const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    t.truthy(document.paths['/v1/telemetry']);
  }),
);

test('pings posted over HTTP end on the live map, the newest per vehicle', async (t) => {
  const api = await startApi({ capacity: 1000 });
  const documents = sqliteDocuments();
  const liveMap = startLiveMap({ subscription: api.queue.subscription, documents, intervalMs: 100 });
  try {
    t.is((await api.post({ pings: [rawPing('v-1', 10, { lat: 1 }), rawPing('v-1', 30, { lat: 3 }), rawPing('v-2', 5)] })).status, 202);
    t.is((await api.post({ pings: [rawPing('v-1', 20, { lat: 2 })] }, { key: keys.dispatcher })).status, 202);
    await eventually(() => api.queue.size() === 0, 'every ping acked');
    const map = liveMapQueries(documents);
    t.like(await map.byId('v-1'), { vehicleId: 'v-1', lat: 3, recordedAt: rawPing('v-1', 30)['recordedAt'] });
    t.deepEqual(
      (await map.list()).vehicles.map((v) => v.vehicleId),
      ['v-1', 'v-2'],
    );
  } finally {
    await liveMap.stop();
    await api.close();
    await documents.close();
  }
});
