// The command API through real HTTP: a koa app on an ephemeral port over the embedded SQLite store.
import type { RecordedEvent } from '@meridian/kernel';
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { keys, parcelBody, parcelOutForDelivery, startApi, type TestApi } from './test-fixtures.ts';

const withApi = (run: (api: TestApi, t: ExecutionContext) => Promise<void>) => async (t: ExecutionContext) => {
  const api = await startApi();
  try {
    await run(api, t);
  } finally {
    await api.close();
  }
};

const isProblem = (
  response: { status: number; headers: Headers; body: { type?: unknown; title?: unknown; status?: unknown } },
  status: number,
) =>
  response.status === status &&
  response.headers.get('content-type') === 'application/problem+json' &&
  typeof response.body.type === 'string' &&
  typeof response.body.title === 'string' &&
  response.body.status === status;

test(
  'a parcel goes from registered to delivered, each event recording who, why and the trace',
  withApi(async (api, t) => {
    const parcelId = `p-${randomUUID()}`;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const registered = await api.post('/v1/parcels', parcelBody({ parcelId }), {
      headers: { 'idempotency-key': `reg-${parcelId}`, 'x-correlation-id': 'order-42', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    t.is(registered.status, 202);
    t.like(registered.body, { id: parcelId, streamId: `parcel-${parcelId}`, revision: 0 });
    t.is(registered.headers.get('idempotent-replayed'), null);
    t.is(registered.headers.get('x-correlation-id'), 'order-42');
    await parcelOutForDelivery(api, parcelId, { registered: true });
    const delivered = await api.post(
      `/v1/parcels/${parcelId}/deliver`,
      { proof: { kind: 'signature', reference: 'sig-1' }, location: { lat: 52.37, lng: 4.89 } },
      { key: keys.driver },
    );
    t.is(delivered.status, 202);
    t.is(delivered.body.revision, 4);

    const history = await api.get(`/v1/streams/parcel-${parcelId}`);
    t.is(history.status, 200);
    const events = history.body.events as RecordedEvent[];
    t.deepEqual(
      events.map((e) => e.type),
      ['parcel.registered.v1', 'parcel.assigned-to-route.v1', 'parcel.loaded.v2', 'parcel.out-for-delivery.v1', 'parcel.delivered.v1'],
    );
    t.like(events[0]!.metadata, {
      correlationId: 'order-42',
      requestId: `dispatch-1/reg-${parcelId}`,
      actor: { principalId: 'dispatch-1', role: 'dispatcher' },
    });
    t.regex(events[0]!.metadata.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), 'the trace continues from the caller');
    t.like(events[4]!.metadata, { actor: { principalId: 'driver-1', role: 'driver' } });
    t.is(events[4]!.eventId, delivered.body.events[0].eventId);
  }),
);

test(
  "a recipient's phone number is optional, and E.164 when given: anything else is a 400 at its pointer",
  withApi(async (api, t) => {
    const before = await api.store.headPosition();
    const spaced = await api.post('/v1/parcels', parcelBody({ recipient: { name: 'Ada', phone: '+31 20 555 0100' } }));
    t.true(isProblem(spaced, 400));
    t.deepEqual(
      (spaced.body.errors as { pointer: string }[]).map((e) => e.pointer),
      ['#/recipient/phone'],
    );
    t.is(await api.store.headPosition(), before);
    t.is((await api.post('/v1/parcels', parcelBody({ recipient: { name: 'Ada' } }))).status, 202);
    t.is((await api.post('/v1/parcels', parcelBody({ recipient: { name: 'Ada', phone: '+31612345678' } }))).status, 202);
  }),
);

test(
  'invalid bodies are 400 problems with field pointers, and append nothing',
  withApi(async (api, t) => {
    const before = await api.store.headPosition();
    const invalid = await api.post('/v1/parcels', parcelBody({ weightKg: 'heavy', address: { line1: 'x' }, colour: 'red' }));
    t.true(isProblem(invalid, 400));
    const pointers = (invalid.body.errors as { pointer: string }[]).map((e) => e.pointer);
    t.true(pointers.includes('#/weightKg'));
    t.true(pointers.includes('#/address/city'));
    t.true(pointers.includes('#/address/location'));
    t.true(pointers.includes('#/colour'), 'unknown fields are refused, not ignored');

    const malformed = await api.post('/v1/parcels', '{"clientId": "acme",');
    t.true(isProblem(malformed, 400));
    t.is(malformed.body.type, '/problems/malformed-json');
    t.true(isProblem(await api.post('/v1/parcels', [1, 2]), 400));
    t.true(isProblem(await api.post('/v1/parcels', 'null'), 400));
    const clash = await api.post('/v1/parcels/p-1/load', { parcelId: 'p-2', vehicleId: 'v-1' });
    t.deepEqual(clash.body.errors, [{ pointer: '#/parcelId', detail: 'is taken from the path; leave it out of the body' }]);
    const badPath = await api.post('/v1/parcels/%20bad%20id/load', { vehicleId: 'v-1' });
    t.true(isProblem(badPath, 400));
    t.is(await api.store.headPosition(), before);
  }),
);

test(
  'wrong media type is 415, a huge body 413, in both cases before anything is decided',
  withApi(async (api, t) => {
    const text = await fetch(`${api.url}/v1/parcels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.dispatcher}`, 'content-type': 'text/plain' },
      body: JSON.stringify(parcelBody()),
    });
    t.is(text.status, 415);
    t.is(text.headers.get('content-type'), 'application/problem+json');
    const huge = await api.post('/v1/parcels', parcelBody({ recipient: { name: 'x'.repeat(2_000_000) } }));
    t.true(isProblem(huge, 413));
    // A streamed body without Content-Length is cut off at the limit too.
    const streamed = await fetch(`${api.url}/v1/parcels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.dispatcher}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(16_384)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    t.is(streamed.status, 413);
    t.is(await api.store.headPosition(), 0);
  }),
);

test(
  'authentication is 401 with a challenge; a missing role is 403',
  withApi(async (api, t) => {
    const none = await fetch(`${api.url}/v1/parcels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    t.is(none.status, 401);
    t.is(none.headers.get('www-authenticate'), 'Bearer realm="meridian"');
    t.true(isProblem(await api.post('/v1/parcels', parcelBody(), { key: 'not-a-real-key-at-all' }), 401));
    const driverRegisters = await api.post('/v1/parcels', parcelBody(), { key: keys.driver });
    t.true(isProblem(driverRegisters, 403));
    t.true(isProblem(await api.get('/v1/streams/parcel-x', keys.dispatcher), 403), 'raw history is for auditors and admins');
    t.is(await api.store.headPosition(), 0);
  }),
);

test(
  'a client acts only for itself and only on its own parcels',
  withApi(async (api, t) => {
    const own = await api.post('/v1/parcels', parcelBody({ clientId: undefined }), { key: keys.acme });
    t.is(own.status, 202, JSON.stringify(own.body));
    const history = await api.get(`/v1/streams/${own.body.streamId}`);
    t.is(history.body.events[0].data.clientId, 'acme', 'the client id comes from the key');
    t.true(isProblem(await api.post('/v1/parcels', parcelBody({ clientId: 'globex' }), { key: keys.acme }), 403));
    t.true(
      isProblem(await api.post(`/v1/parcels/${own.body.id}/cancel`, { reason: 'not mine' }, { key: keys.globex }), 404),
      "another client's parcel does not exist for it",
    );
    t.is((await api.post(`/v1/parcels/${own.body.id}/cancel`, { reason: 'changed my mind' }, { key: keys.acme })).status, 202);
  }),
);

test(
  'unknown aggregates are 404; broken rules and existing ids are 409 with the rule named',
  withApi(async (api, t) => {
    t.true(isProblem(await api.post('/v1/parcels/nope/load', { vehicleId: 'v-1' }), 404));
    t.true(isProblem(await api.post('/v1/nowhere', {}), 404));
    const parcelId = `p-${randomUUID()}`;
    t.is((await api.post('/v1/parcels', parcelBody({ parcelId }))).status, 202);
    const again = await api.post('/v1/parcels', parcelBody({ parcelId }));
    t.true(isProblem(again, 409));
    t.is(again.body.type, '/problems/already-exists');
    const early = await api.post(
      `/v1/parcels/${parcelId}/deliver`,
      { proof: { kind: 'photo', reference: 'img-1' }, location: { lat: 1, lng: 1 } },
      { key: keys.driver },
    );
    t.true(isProblem(early, 409));
    t.like(early.body, { type: '/problems/rule-violated', code: 'ParcelNotOutForDelivery' });
    const wrongMethod = await fetch(`${api.url}/v1/parcels/${parcelId}/deliver`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.driver}` },
    });
    t.is(wrongMethod.status, 405);
    t.is(wrongMethod.headers.get('allow'), 'POST');
  }),
);

test(
  'concurrent commands on one parcel: one delivery wins, every other is refused, the stream stays gapless',
  withApi(async (api, t) => {
    const parcelId = `p-${randomUUID()}`;
    await parcelOutForDelivery(api, parcelId);
    const attempts = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2 === 0
          ? api.post(
              `/v1/parcels/${parcelId}/deliver`,
              { proof: { kind: 'signature', reference: `sig-${i}` }, location: { lat: 1, lng: 1 } },
              { key: keys.driver },
            )
          : api.post(`/v1/parcels/${parcelId}/fail-attempt`, { reason: 'recipient-absent' }, { key: keys.driver }),
      ),
    );
    t.is(attempts.filter((r) => r.status === 202).length, 1, 'only one outcome for one attempt');
    t.true(attempts.filter((r) => r.status !== 202).every((r) => r.status === 409));
    const events = (await api.get(`/v1/streams/parcel-${parcelId}`)).body.events as RecordedEvent[];
    t.deepEqual(
      events.map((e) => e.streamRevision),
      [0, 1, 2, 3, 4],
    );
  }),
);

test(
  'health answers without a key',
  withApi(async (api, t) => {
    const health = await fetch(`${api.url}/healthz`);
    t.is(health.status, 200);
    t.like(await health.json(), { status: 'ok' });
  }),
);
