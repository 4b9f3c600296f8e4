// A bad parameter is named, RFC 9457 style, not pointed at as if it were in the body: a path parameter, a
// query parameter and a header each answer `{ "parameter", "in", "detail" }`; body fields keep `pointer`.
import test from 'ava';
import { keys, parcelBody, startApi } from './test-fixtures.ts';

test('bad path, query and header parameters are 400s naming the parameter, and append nothing', async (t) => {
  const api = await startApi();
  try {
    const before = await api.store.headPosition();
    const badPath = await api.post('/v1/parcels/%20bad%20id/load', { vehicleId: 'v-1' });
    t.like(badPath.body, { type: '/problems/invalid-request', status: 400 });
    t.like(badPath.body.errors, [{ parameter: 'parcelId', in: 'path' }]);
    const badKey = await api.post('/v1/parcels', parcelBody(), { headers: { 'idempotency-key': 'two words' } });
    t.like(badKey.body, { status: 400, errors: [{ parameter: 'Idempotency-Key', in: 'header' }] });
    t.like((await api.get('/v1/streams/not_a_stream', keys.auditor)).body, {
      status: 400,
      errors: [{ parameter: 'streamId', in: 'path' }],
    });
    t.like((await api.get('/v1/streams/parcel-x?fromRevision=-1', keys.auditor)).body, {
      status: 400,
      errors: [{ parameter: 'fromRevision', in: 'query' }],
    });
    const clash = await api.post('/v1/parcels/p-1/load', { parcelId: 'p-2', vehicleId: 'v-1' });
    t.deepEqual(
      clash.body.errors,
      [{ pointer: '#/parcelId', detail: 'is taken from the path; leave it out of the body' }],
      'a field sent in the body is pointed at',
    );
    t.is(await api.store.headPosition(), before);
  } finally {
    await api.close();
  }
});
