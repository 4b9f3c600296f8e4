// The dispatch routes: a dispatcher opens a window; a driver accepts or declines the route offered to the
// vehicle it is on duty with, and only that one (the offer itself is the dispatch saga's, sent here as the
// saga's runtime would).
import test from 'ava';
import { handleCommand, type Command } from '@meridian/kernel';
import { vehicle, type VehicleCommand } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import { applyEvents, parcelStatusProjection, prepareProjection } from '@meridian/projections';
import { keys, parcelBody, startApi, type TestApi } from './test-fixtures.ts';

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

const windowBody = (overrides: Record<string, unknown> = {}) => ({
  depotId: 'ams-1',
  depot: { lat: 52.37, lng: 4.89 },
  dispatchWindow: { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 4 * 3_600_000).toISOString() },
  parcels: [{ parcelId: 'p-1', location: { lat: 52.38, lng: 4.9 }, weightKg: 3, slaDeadline: inAnHour() }],
  vehicleIds: ['v-1'],
  ...overrides,
});

/** A command sent as the saga's runtime sends it: as the system, not through the API. */
const asTheSaga = async (api: TestApi, command: Omit<VehicleCommand, 'metadata'>) => {
  const sent: Command = { ...command, metadata: { now: new Date() } };
  const answer = await handleCommand(
    { store: api.store },
    {
      aggregate: vehicle,
      command: sent as VehicleCommand,
      context: { actor: { principalId: 'reaction:dispatch', role: 'system' }, correlationId: 'c-1', causationId: 'c-1' },
    },
  );
  if (E.isLeft(answer)) throw new Error(JSON.stringify(answer.left));
};

/** v-1 on duty with a driver (by default driver-1, the test driver key's principal), reserved for w-1 and offered r-1. */
const offered = async (api: TestApi, driverId = 'driver-1') => {
  for (const [path, body] of [
    ['/v1/vehicles', { vehicleId: 'v-1', depotId: 'ams-1', capacityKg: 500 }],
    ['/v1/vehicles/v-1/on-duty', { driverId }],
  ] as const) {
    const key = keys.dispatcher;
    const response = await api.post(path, body, { key });
    if (response.status !== 202) throw new Error(`${path}: ${JSON.stringify(response.body)}`);
  }
  await asTheSaga(api, { type: 'ReserveVehicle', data: { vehicleId: 'v-1', windowId: 'w-1', depotId: 'ams-1' } } as never);
  await asTheSaga(api, {
    type: 'OfferRouteToVehicle',
    data: { vehicleId: 'v-1', windowId: 'w-1', routeId: 'w-1.r1', plannedLoadKg: 40, expiresAt: inAnHour() },
  } as never);
};

test('a dispatcher opens a window; its id is generated when left out', async (t) => {
  const api = await startApi();
  try {
    const opened = await api.post('/v1/dispatch/windows', windowBody());
    t.is(opened.status, 202, JSON.stringify(opened.body));
    t.regex(opened.body.streamId, /^window-/);
    const named = await api.post('/v1/dispatch/windows', windowBody({ windowId: 'w-named' }));
    t.is(named.body.streamId, 'window-w-named');
    t.is((await api.post('/v1/dispatch/windows', windowBody({ windowId: 'w-named' }))).status, 409);
  } finally {
    await api.close();
  }
});

test('a window that is not one is refused with field paths, and a driver may not open one', async (t) => {
  const api = await startApi();
  try {
    const bad = await api.post('/v1/dispatch/windows', windowBody({ parcels: [{ parcelId: 'p-1', weightKg: -1 }], vehicleIds: [] }));
    t.is(bad.status, 400);
    const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer);
    t.true(pointers.includes('#/parcels/0/weightKg'), JSON.stringify(pointers));
    t.true(pointers.includes('#/parcels/0/location'));
    t.true(pointers.includes('#/vehicleIds'));
    t.is((await api.post('/v1/dispatch/windows', windowBody(), { key: keys.driver })).status, 403);
    t.is((await api.store.readStream('window-w-1')).length, 0);
  } finally {
    await api.close();
  }
});

test("the driver on duty accepts the route offered to its vehicle; its driver id is the key's principal", async (t) => {
  const api = await startApi();
  try {
    await offered(api);
    const accepted = await api.post('/v1/vehicles/v-1/offers/w-1.r1/accept', {}, { key: keys.driver });
    t.is(accepted.status, 202, JSON.stringify(accepted.body));
    const last = (await api.store.readStream('vehicle-v-1')).at(-1);
    t.like(last, { type: 'vehicle.route-offer-accepted.v1', data: { routeId: 'w-1.r1', driverId: 'driver-1' } });
  } finally {
    await api.close();
  }
});

test('a driver declines with a reason; only drivers answer offers, each for itself only', async (t) => {
  const api = await startApi();
  try {
    await offered(api);
    t.is((await api.post('/v1/vehicles/v-1/offers/w-1.r1/accept', {})).status, 403, 'a dispatcher does not answer for a driver');
    const other = await api.post('/v1/vehicles/v-1/offers/w-1.r1/accept', { driverId: 'driver-2' }, { key: keys.driver });
    t.is(other.status, 403);
    const declined = await api.post('/v1/vehicles/v-1/offers/w-1.r1/decline', { reason: 'van too small' }, { key: keys.driver });
    t.is(declined.status, 202, JSON.stringify(declined.body));
    t.like((await api.store.readStream('vehicle-v-1')).at(-1), {
      type: 'vehicle.route-offer-declined.v1',
      data: { driverId: 'driver-1', reason: 'van too small' },
    });
  } finally {
    await api.close();
  }
});

test("a driver cannot answer for another driver's vehicle, and nothing is appended", async (t) => {
  const api = await startApi();
  try {
    await offered(api, 'driver-2');
    const before = (await api.store.readStream('vehicle-v-1')).length;
    const answer = await api.post('/v1/vehicles/v-1/offers/w-1.r1/accept', {}, { key: keys.driver });
    t.is(answer.status, 409, JSON.stringify(answer.body));
    t.regex(JSON.stringify(answer.body), /NotTheVehicleDriver/);
    t.is((await api.store.readStream('vehicle-v-1')).length, before);
  } finally {
    await api.close();
  }
});

/** Brings the parcel read model up to the log's head (the selection reads it). */
const projectParcels = async (api: TestApi) => {
  const { events } = await api.store.readAll({ after: 0, batchSize: 10_000 });
  await prepareProjection(api.documents, parcelStatusProjection);
  await applyEvents(api.documents, parcelStatusProjection, events);
};

const registered = async (api: TestApi, parcelId: string, overrides: Record<string, unknown> = {}) => {
  const response = await api.post('/v1/parcels', parcelBody({ parcelId, ...overrides }));
  if (response.status !== 202) throw new Error(JSON.stringify(response.body));
};

const openedParcels = async (api: TestApi, windowId: string) =>
  ((await api.store.readStream(`window-${windowId}`))[0]?.data as { parcels: { parcelId: string }[] } | undefined)?.parcels.map(
    (p) => p.parcelId,
  );

test('a window opened with a selection takes every parcel at the depot within the radius due by then, most urgent first; a retry gets the first answer', async (t) => {
  const api = await startApi();
  try {
    const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    await registered(api, 'p-later', { slaDeadline: at(6) });
    await registered(api, 'p-urgent', { slaDeadline: at(2) });
    await registered(api, 'p-tomorrow', { slaDeadline: at(30) });
    await registered(api, 'p-utrecht', {
      address: { line1: 'Neude 1', city: 'Utrecht', postalCode: '3512 AD', country: 'NL', location: { lat: 52.093, lng: 5.119 } },
    });
    await projectParcels(api);
    const { parcels: _listed, ...asked } = windowBody({ windowId: 'w-sel', select: { radiusKm: 15, dueBy: at(12) } });
    const headers = { 'idempotency-key': 'open-w-sel' };
    const opened = await api.post('/v1/dispatch/windows', asked, { headers });
    t.is(opened.status, 202, JSON.stringify(opened.body));
    t.deepEqual(
      await openedParcels(api, 'w-sel'),
      ['p-urgent', 'p-later'],
      'near, due by then, most urgent first; not Utrecht, not tomorrow',
    );
    // The read model moves on (the parcels taken are assigned by the saga, say): a retry is the first answer, not a new selection.
    for (const parcelId of ['p-urgent', 'p-later'])
      t.is((await api.post(`/v1/parcels/${parcelId}/cancel`, { reason: 'test' })).status, 202);
    await projectParcels(api);
    const retried = await api.post('/v1/dispatch/windows', asked, { headers });
    t.is(retried.status, 202, JSON.stringify(retried.body));
    t.is(retried.headers.get('idempotent-replayed'), 'true');
    t.is(retried.body.id, 'w-sel');
    t.is((await api.store.readStream('window-w-sel')).length, 1);
  } finally {
    await api.close();
  }
});

test('a selection that finds nothing, a bad one, or one given with a list is refused, and nothing is appended', async (t) => {
  const api = await startApi();
  try {
    await registered(api, 'p-1');
    await projectParcels(api);
    const { parcels: _listed, ...base } = windowBody({ windowId: 'w-none' });
    const nothing = await api.post('/v1/dispatch/windows', { ...base, select: { radiusKm: 0.001 } });
    t.is(nothing.status, 409, JSON.stringify(nothing.body));
    t.like(nothing.body, { type: '/problems/rule-violated', code: 'NoParcelSelected' });
    const bad = await api.post('/v1/dispatch/windows', { ...base, select: { radiusKm: -3, dueBy: 'soon' } });
    t.is(bad.status, 400);
    t.deepEqual(bad.body.errors.map((e: { pointer: string }) => e.pointer).toSorted(), ['#/select/dueBy', '#/select/radiusKm']);
    const both = await api.post('/v1/dispatch/windows', windowBody({ windowId: 'w-none', select: { radiusKm: 10 } }));
    t.is(both.status, 400);
    t.like(both.body.errors, [{ pointer: '#/select' }]);
    t.is((await api.store.readStream('window-w-none')).length, 0);
  } finally {
    await api.close();
  }
});
