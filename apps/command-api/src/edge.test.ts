// The edge checks over real HTTP, against real read models: the platform's projections applied to the log
// into the app's document store when the test says so (`project`), so a test can hold them behind the log.
import { applyEvents, fleetProjection, parcelStatusProjection, prepareProjection, routeBoardProjection } from '@meridian/projections';
import test, { type ExecutionContext } from 'ava';
import { parcelBody, routeReady, startApi, type TestApi } from './test-fixtures.ts';

const projections = [parcelStatusProjection, routeBoardProjection, fleetProjection];

/** Brings the read models up to the log's head. */
const project = async (api: TestApi) => {
  const { events } = await api.store.readAll({ after: 0, batchSize: 10_000 });
  for (const projection of projections) {
    await prepareProjection(api.documents, projection);
    await applyEvents(api.documents, projection, events);
  }
};

const withApi = (run: (api: TestApi, t: ExecutionContext) => Promise<void>) => async (t: ExecutionContext) => {
  const api = await startApi();
  try {
    await run(api, t);
  } finally {
    await api.close();
  }
};

const accepted = async (api: TestApi, path: string, body: unknown) => {
  const response = await api.post(path, body);
  if (response.status !== 202) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response;
};
const streamLength = async (api: TestApi, streamId: string) => (await api.store.readStream(streamId)).length;
const register = (api: TestApi, parcelId: string, weightKg = 2.5) => accepted(api, '/v1/parcels', parcelBody({ parcelId, weightKg }));
const window = () => ({ from: new Date().toISOString(), to: new Date(Date.now() + 8 * 3_600_000).toISOString() });
const planBody = (routeId: string, ...parcelIds: string[]) => ({
  routeId,
  depotId: 'ams-1',
  dispatchWindow: window(),
  stops: parcelIds.map((parcelId, i) => ({ stopId: `s-${i + 1}`, location: { lat: 52.37, lng: 4.89 }, parcelIds: [parcelId] })),
});

test(
  'assigning a parcel to a route that does not exist is refused, and appends nothing',
  withApi(async (api, t) => {
    await register(api, 'p-1');
    await project(api);
    const refused = await api.post('/v1/parcels/p-1/assign-to-route', { routeId: 'r-404' });
    t.is(refused.status, 409);
    t.is(refused.headers.get('content-type'), 'application/problem+json');
    t.like(refused.body, {
      type: '/problems/route-unavailable',
      routeId: 'r-404',
      routeStatus: null,
      instance: '/v1/parcels/p-1/assign-to-route',
    });
    t.is(await streamLength(api, 'parcel-p-1'), 1);
  }),
);

test(
  'assigning to a cancelled route is refused with its status, as the RouteBoard shows it',
  withApi(async (api, t) => {
    await routeReady(api);
    await register(api, 'p-1');
    await accepted(api, '/v1/routes/r-1/cancel', { reason: 'storm' });
    await project(api);
    t.like((await api.post('/v1/parcels/p-1/assign-to-route', { routeId: 'r-1' })).body, {
      type: '/problems/route-unavailable',
      routeStatus: 'Cancelled',
    });
  }),
);

test(
  'a route planned a moment ago, not on the RouteBoard yet, takes parcels: the history confirms it exists',
  withApi(async (api, t) => {
    await register(api, 'p-1');
    await register(api, 'p-2');
    await project(api);
    await accepted(api, '/v1/routes', planBody('r-7', 'p-1'));
    t.is((await api.post('/v1/parcels/p-2/assign-to-route', { routeId: 'r-7' })).status, 202);
  }),
);

test(
  "loading onto another vehicle than the route's is refused, naming the route's",
  withApi(async (api, t) => {
    await routeReady(api);
    await register(api, 'p-1');
    await accepted(api, '/v1/parcels/p-1/assign-to-route', { routeId: 'r-1' });
    await project(api);
    const refused = await api.post('/v1/parcels/p-1/load', { vehicleId: 'v-2' });
    t.like(refused, { status: 409, body: { type: '/problems/wrong-vehicle', routeId: 'r-1', expectedVehicleId: 'v-1' } });
    t.is(await streamLength(api, 'parcel-p-1'), 2);
    t.is((await api.post('/v1/parcels/p-1/load', { vehicleId: 'v-1' })).status, 202);
  }),
);

test(
  "a route's vehicle changed a moment ago (the RouteBoard still shows the old one): loading onto the new one passes",
  withApi(async (api, t) => {
    await routeReady(api);
    await register(api, 'p-1');
    await accepted(api, '/v1/parcels/p-1/assign-to-route', { routeId: 'r-1' });
    await project(api);
    await accepted(api, '/v1/vehicles', { vehicleId: 'v-2', depotId: 'ams-1', capacityKg: 500 });
    await accepted(api, '/v1/vehicles/v-2/on-duty', { driverId: 'd-2' });
    await accepted(api, '/v1/vehicles/v-2/assign', { routeId: 'r-1', plannedLoadKg: 100 });
    await accepted(api, '/v1/routes/r-1/assign', { vehicleId: 'v-2', driverId: 'd-2' });
    t.is((await api.post('/v1/parcels/p-1/load', { vehicleId: 'v-2' })).status, 202);
  }),
);

test(
  "loading beyond the vehicle's capacity, as FleetView sums its load, is refused",
  withApi(async (api, t) => {
    await routeReady(api);
    for (const parcelId of ['p-1', 'p-2']) {
      await register(api, parcelId, 600);
      await accepted(api, `/v1/parcels/${parcelId}/assign-to-route`, { routeId: 'r-1' });
    }
    await accepted(api, '/v1/parcels/p-1/load', { vehicleId: 'v-1' });
    await project(api);
    const refused = await api.post('/v1/parcels/p-2/load', { vehicleId: 'v-1' });
    t.like(refused, {
      status: 409,
      body: { type: '/problems/load-over-capacity', vehicleId: 'v-1', capacityKg: 1000, loadKg: 600, weightKg: 600 },
    });
    t.is(await streamLength(api, 'parcel-p-2'), 2);
  }),
);

test(
  'planning with parcels that are not registered or are on a route is refused, each one pointed at, and appends nothing',
  withApi(async (api, t) => {
    await routeReady(api);
    await register(api, 'p-1');
    await register(api, 'p-2');
    await accepted(api, '/v1/parcels/p-2/assign-to-route', { routeId: 'r-1' });
    await project(api);
    const refused = await api.post('/v1/routes', planBody('r-2', 'p-1', 'p-2', 'p-9'));
    t.like(refused, { status: 409, body: { type: '/problems/parcels-unavailable' } });
    t.deepEqual(refused.body.errors, [
      { pointer: '#/stops/1/parcelIds/0', detail: 'parcel p-2 is AssignedToRoute on route r-1' },
      { pointer: '#/stops/2/parcelIds/0', detail: 'parcel p-9 is not a registered parcel' },
    ]);
    t.is(await streamLength(api, 'route-r-2'), 0);
  }),
);

test(
  'a parcel registered a moment ago (not in ParcelStatusView yet) can be planned',
  withApi(async (api, t) => {
    await project(api);
    await register(api, 'p-1');
    t.is((await api.post('/v1/routes', planBody('r-2', 'p-1'))).status, 202);
  }),
);

test(
  'a request answered before is answered again the same, whatever the read models say since',
  withApi(async (api, t) => {
    await routeReady(api);
    await register(api, 'p-1');
    const key = { headers: { 'idempotency-key': 'assign-p-1' } };
    const first = await api.post('/v1/parcels/p-1/assign-to-route', { routeId: 'r-1' }, key);
    t.is(first.status, 202);
    await accepted(api, '/v1/routes/r-1/cancel', { reason: 'storm' });
    await project(api);
    const retry = await api.post('/v1/parcels/p-1/assign-to-route', { routeId: 'r-1' }, key);
    t.like(retry, { status: 202, body: first.body });
    t.is(retry.headers.get('idempotent-replayed'), 'true');
  }),
);

test(
  'an edge refusal is not the request’s answer: the same request passes once the route exists',
  withApi(async (api, t) => {
    await register(api, 'p-1');
    await register(api, 'p-2');
    const key = { headers: { 'idempotency-key': 'assign-early' } };
    t.is((await api.post('/v1/parcels/p-1/assign-to-route', { routeId: 'r-5' }, key)).status, 409);
    await accepted(api, '/v1/routes', planBody('r-5', 'p-2'));
    const later = await api.post('/v1/parcels/p-1/assign-to-route', { routeId: 'r-5' }, key);
    t.is(later.status, 202);
    t.is(later.headers.get('idempotent-replayed'), null);
  }),
);
