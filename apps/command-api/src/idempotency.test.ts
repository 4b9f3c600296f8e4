// Idempotency-Key over real HTTP (draft-ietf-httpapi-idempotency-key-header): the first decided answer
// (202, a no-op, or a refusal) is every retry's answer, exactly; another request with the key is 422; a retry
// while the first is in flight is 409; concurrent attempts, in one process or two, all end with one answer.
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keys, parcelBody, parcelOutForDelivery, routeReady, startApi, type TestApi } from './test-fixtures.ts';

const withApi = (run: (api: TestApi, t: ExecutionContext) => Promise<void>) => async (t: ExecutionContext) => {
  const api = await startApi();
  try {
    await run(api, t);
  } finally {
    await api.close();
  }
};

type Answer = Awaited<ReturnType<TestApi['post']>>;

const replayed = (response: Answer) => response.headers.get('idempotent-replayed') === 'true';
const inFlight = (response: Answer) => response.status === 409 && response.body.type === '/problems/request-in-flight';
const withKey = (key: string, extra: Record<string, string> = {}) => ({ headers: { 'idempotency-key': key, ...extra } });
const streamLength = async (api: TestApi, streamId: string) => (await api.store.readStream(streamId)).length;

test(
  'a retried request gets its first answer exactly, with Idempotent-Replayed, and appends nothing',
  withApi(async (api, t) => {
    const body = parcelBody();
    const key = withKey(randomUUID());
    const one = await api.post('/v1/parcels', body, key);
    t.is(one.status, 202);
    t.false(replayed(one));
    const head = await api.store.headPosition();
    const two = await api.post('/v1/parcels', body, key);
    t.is(two.status, 202);
    t.true(replayed(two));
    t.deepEqual(two.body, one.body, 'the same body: the same parcel, stream and events');
    t.is(await api.store.headPosition(), head, 'nothing appended by the retry');
    const reused = await api.post('/v1/parcels', { ...body, weightKg: 9 }, key);
    t.like(reused, { status: 422, body: { type: '/problems/idempotency-key-reused' } });
    // Keys belong to their principal: another one choosing the same key is a new request, not a reuse.
    const elsewhere = await api.post('/v1/parcels', body, { ...key, key: keys.admin });
    t.is(elsewhere.status, 202);
    t.false(replayed(elsewhere));
    t.not(elsewhere.body.id, one.body.id);
  }),
);

test(
  'a refused request: another command with its key is 422 and does nothing; the refused one, retried, is refused again once it could succeed',
  withApi(async (api, t) => {
    const parcelId = `p-${randomUUID()}`;
    t.is((await api.post('/v1/parcels', parcelBody({ parcelId }))).status, 202);
    const key = randomUUID();
    const deliver = { proof: { kind: 'signature', reference: 'sig-1' }, location: { lat: 52.37, lng: 4.89 } };
    const refused = await api.post(`/v1/parcels/${parcelId}/deliver`, deliver, { key: keys.driver, ...withKey(key) });
    t.like(refused, { status: 409, body: { type: '/problems/rule-violated', code: 'ParcelNotOutForDelivery' } });
    t.false(replayed(refused));

    const other = await api.post(
      `/v1/parcels/${parcelId}/fail-attempt`,
      { reason: 'recipient-absent' },
      { key: keys.driver, ...withKey(key) },
    );
    t.like(other, { status: 422, body: { type: '/problems/idempotency-key-reused' } });
    t.is(await streamLength(api, `parcel-${parcelId}`), 1, 'the other command was not carried out');

    await parcelOutForDelivery(api, parcelId, { registered: true });
    const retry = await api.post(`/v1/parcels/${parcelId}/deliver`, deliver, { key: keys.driver, ...withKey(key) });
    t.is(retry.status, 409);
    t.true(replayed(retry));
    t.is(retry.headers.get('content-type'), 'application/problem+json');
    t.deepEqual(retry.body, refused.body, 'the first answer exactly, though delivering would now succeed');
    t.is(await streamLength(api, `parcel-${parcelId}`), 4, 'not delivered by the retry');
    t.like(
      await api.post(
        `/v1/parcels/${parcelId}/deliver`,
        { ...deliver, proof: { kind: 'photo', reference: 'img-2' } },
        { key: keys.driver, ...withKey(key) },
      ),
      { status: 422 },
    );
  }),
);

test(
  'a no-op request: another command with its key is 422 and does nothing; the no-op, retried, is answered as it was',
  withApi(async (api, t) => {
    const parcelId = `p-${randomUUID()}`;
    await routeReady(api);
    t.is((await api.post('/v1/parcels', parcelBody({ parcelId }))).status, 202);
    t.is((await api.post(`/v1/parcels/${parcelId}/assign-to-route`, { routeId: 'r-1' })).status, 202);
    const key = randomUUID();
    const noOp = await api.post(`/v1/parcels/${parcelId}/assign-to-route`, { routeId: 'r-1' }, withKey(key));
    t.like(noOp, { status: 202, body: { id: parcelId, revision: 1, events: [] } });

    t.like(await api.post(`/v1/parcels/${parcelId}/release-from-route`, { routeId: 'r-1' }, withKey(key)), {
      status: 422,
      body: { type: '/problems/idempotency-key-reused' },
    });
    t.is(await streamLength(api, `parcel-${parcelId}`), 2, 'the other command was not carried out');

    t.is(
      (await api.post(`/v1/parcels/${parcelId}/release-from-route`, { routeId: 'r-1' })).status,
      202,
      'the parcel moves on without the key',
    );
    const retry = await api.post(`/v1/parcels/${parcelId}/assign-to-route`, { routeId: 'r-1' }, withKey(key));
    t.is(retry.status, 202);
    t.true(replayed(retry));
    t.deepEqual(retry.body, noOp.body, 'revision 1 and no events, as first answered');
    t.is(await streamLength(api, `parcel-${parcelId}`), 3, 'the retry assigned nothing');
  }),
);

test(
  'answers that decide nothing leave the key free: invalid input (400) and a missing role (403)',
  withApi(async (api, t) => {
    const key = randomUUID();
    t.is((await api.post('/v1/parcels', { nope: true }, withKey(key))).status, 400);
    t.is((await api.post('/v1/parcels', parcelBody(), { key: keys.driver, ...withKey(key) })).status, 403);
    t.is((await api.post('/v1/parcels', parcelBody(), withKey(key))).status, 202, 'the dispatcher key still free after its 400');
    const driverKey = randomUUID();
    t.is((await api.post('/v1/parcels', parcelBody(), { key: keys.driver, ...withKey(driverKey) })).status, 403);
    const parcelId = `p-${randomUUID()}`;
    await parcelOutForDelivery(api, parcelId);
    t.is(
      (await api.post(`/v1/parcels/${parcelId}/fail-attempt`, { reason: 'recipient-absent' }, { key: keys.driver, ...withKey(driverKey) }))
        .status,
      202,
      "the driver's key still free after its 403",
    );
  }),
);

test(
  'concurrent attempts at one request: every decided answer is the same, the others are 409 in flight with Retry-After',
  withApi(async (api, t) => {
    const body = parcelBody();
    const key = withKey(randomUUID());
    const responses = await Promise.all(Array.from({ length: 12 }, () => api.post('/v1/parcels', body, key)));
    const decided = responses.filter((r) => !inFlight(r));
    t.true(decided.length >= 1);
    t.true(decided.every((r) => r.status === 202));
    t.true(
      decided.every((r) => JSON.stringify(r.body) === JSON.stringify(decided[0]!.body)),
      'one answer',
    );
    t.is(decided.filter((r) => !replayed(r)).length, 1, 'answered once, replayed after');
    for (const busy of responses.filter(inFlight)) t.is(busy.headers.get('retry-after'), '1');
    t.is(await api.store.headPosition(), 1, 'appended once');
    const after = await api.post('/v1/parcels', body, key);
    t.deepEqual(after.body, decided[0]!.body, 'a retry after they settled gets the answer too');
  }),
);

test('a retry while the first attempt is in flight is 409 with Retry-After, another request with the key 422; then the answer is replayed', async (t) => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let arrived: () => void = () => undefined;
  const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
  // The first lookup of a request is held until released: that request is in flight meanwhile.
  const api = await startApi({
    through: (store) => ({ ...store, findRequest: async (requestId) => (arrived(), await held, store.findRequest(requestId)) }),
  });
  t.teardown(() => api.close());
  const body = parcelBody();
  const key = withKey(randomUUID());
  const first = api.post('/v1/parcels', body, key);
  await firstArrived;
  const retry = await api.post('/v1/parcels', body, key);
  t.like(retry, { status: 409, body: { type: '/problems/request-in-flight', status: 409 } });
  t.is(retry.headers.get('retry-after'), '1');
  t.is(retry.headers.get('content-type'), 'application/problem+json');
  t.like(await api.post('/v1/parcels', { ...body, weightKg: 7 }, key), { status: 422, body: { type: '/problems/idempotency-key-reused' } });
  release();
  const answered = await first;
  t.is(answered.status, 202);
  const later = await api.post('/v1/parcels', body, key);
  t.true(replayed(later));
  t.deepEqual(later.body, answered.body);
});

test('two processes on one store: concurrent attempts at one request, refused or accepted, all end with one answer', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'meridian-api-')), 'events.db');
  const [one, two] = [await startApi({ path }), await startApi({ path })];
  t.teardown(async () => (await one.close(), await two.close()));
  const parcelId = `p-${randomUUID()}`;
  await routeReady(one);
  t.is((await one.post('/v1/parcels', parcelBody({ parcelId }))).status, 202);
  for (const [path, body, expected] of [
    [`/v1/parcels/${parcelId}/load`, { vehicleId: 'v-1' }, 409],
    [`/v1/parcels/${parcelId}/assign-to-route`, { routeId: 'r-1' }, 202],
  ] as const) {
    const key = withKey(randomUUID());
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? one : two).post(path, body, key)));
    const decided = responses.filter((r) => !inFlight(r));
    t.true(decided.length >= 2, 'each process decided at least once');
    t.true(
      decided.every((r) => r.status === expected && JSON.stringify(r.body) === JSON.stringify(decided[0]!.body)),
      `${path}: one answer`,
    );
  }
  t.is(await streamLength(one, `parcel-${parcelId}`), 2, 'assigned once');
});
