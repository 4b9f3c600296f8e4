import type { RecordedEvent } from '@meridian/kernel';
import { givenProjection } from '@meridian/kernel/testing';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { vehicleEvents, type VehicleEvent } from '@meridian/vehicle';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, openDocuments, parcelFacts, utcAt, vehicleFacts } from '../testing/index.ts';
import { fleetProjection, loads, vehicles } from './projection.ts';
import { fleetQueries } from './queries.ts';
import type { FleetVehicleView } from './view.ts';

const open = async (t: { teardown: (fn: () => Promise<void>) => void }) => {
  const documents = await openDocuments(fleetProjection);
  t.teardown(() => documents.close());
  return { documents, queries: fleetQueries(documents) };
};

const v = vehicleFacts('v-1', { capacityKg: 800 });
const p1 = parcelFacts('p-1', { weightKg: 12.5 });
const p2 = parcelFacts('p-2', { weightKg: 30 });
const p3 = parcelFacts('p-3', { weightKg: 7.25 });

const given = givenProjection(fleetProjection);
const load = (parcelId: string, weightKg: number, loadedAt: string) => ({
  parcelId,
  clientId: 'acme',
  vehicleId: 'v-1',
  routeId: 'r-1',
  weightKg,
  loadedAt: utcAt(loadedAt),
});

test(
  'a registered vehicle is stored off duty, with nothing on board',
  given(createTestLog().recordAll(vehicleEvents, 'vehicle-v-1', [v.registered('05:00')])).then((t, view) => {
    t.deepEqual(view.documentsOf(vehicles), {
      'v-1': {
        vehicleId: 'v-1',
        depotId: 'ams-1',
        plate: 'NL-v-1',
        capacityKg: 800,
        dutyStatus: 'OffDuty',
        driverId: null,
        routeId: null,
        plannedLoadKg: null,
        registeredAt: utcAt('05:00'),
        updatedAt: utcAt('05:00'),
        revision: 0,
      },
    });
    t.deepEqual(view.documentsOf(loads), {});
  }),
);

/** A vehicle on route r-1 with three parcels loaded, then what became of each: delivered, a failed attempt, released. */
const onTheRoad = (): { loaded: RecordedEvent[]; underway: RecordedEvent[] } => {
  const log = createTestLog();
  const loaded = [
    ...log.recordAll(vehicleEvents, 'vehicle-v-1', [
      v.registered('05:00'),
      v.wentOnDuty('d-1', '06:00'),
      v.assigned('r-1', 'd-1', 49.75, '06:30'),
    ]),
    ...log.recordAll(parcelEvents, 'parcel-p-1', [p1.registered(), p1.assigned('r-1', '06:40'), p1.loaded('r-1', 'v-1', '07:00')]),
    ...log.recordAll(parcelEvents, 'parcel-p-2', [p2.registered(), p2.assigned('r-1', '06:40'), p2.loaded('r-1', 'v-1', '07:05')]),
    ...log.recordAll(parcelEvents, 'parcel-p-3', [p3.registered(), p3.assigned('r-1', '06:40'), p3.loaded('r-1', 'v-1', '07:10')]),
  ];
  const underway = [
    log.record(parcelEvents, 'parcel-p-1', p1.outForDelivery('r-1', 'v-1', 1, '08:00')),
    log.record(parcelEvents, 'parcel-p-1', p1.delivered('r-1', 'v-1', 1, '08:20')),
    log.record(parcelEvents, 'parcel-p-2', p2.outForDelivery('r-1', 'v-1', 1, '08:30')),
    log.record(parcelEvents, 'parcel-p-2', p2.failed('r-1', 'v-1', 1, '08:45')),
    log.record(parcelEvents, 'parcel-p-3', p3.released('r-1', '09:00')),
  ];
  return { loaded, underway };
};

test(
  'each parcel loaded is a load of its own, and the vehicle is on its route',
  given(onTheRoad().loaded).then((t, view) => {
    t.deepEqual(view.documentsOf(loads), {
      'p-1': load('p-1', 12.5, '07:00'),
      'p-2': load('p-2', 30, '07:05'),
      'p-3': load('p-3', 7.25, '07:10'),
    });
    t.like(view.documentOf(vehicles, 'v-1'), { dutyStatus: 'OnRoute', routeId: 'r-1', plannedLoadKg: 49.75, updatedAt: utcAt('06:30') });
  }),
);

test('a delivered or released parcel leaves the vehicle; one whose attempt failed stays on board', (t) => {
  const { loaded, underway } = onTheRoad();
  return given([...loaded, ...underway]).thenDocuments(loads, { 'p-2': load('p-2', 30, '07:05') })(t);
});

test(
  'a parcel loaded before its vehicle is known is on board all the same',
  given(
    createTestLog().recordAll(parcelEvents, 'parcel-p-1', [p1.registered(), p1.assigned('r-1', '06:40'), p1.loaded('r-1', 'v-1', '07:00')]),
  ).then((t, view) => {
    t.deepEqual(view.documentsOf(loads), { 'p-1': load('p-1', 12.5, '07:00') });
    t.deepEqual(view.documentsOf(vehicles), {});
  }),
);

test(
  'a released vehicle is back on duty with no route; a retired one has no driver',
  given(
    createTestLog().recordAll(vehicleEvents, 'vehicle-v-1', [
      v.registered('05:00'),
      v.wentOnDuty('d-1', '06:00'),
      v.assigned('r-1', 'd-1', 12.5, '06:30'),
      v.released('r-1', 'd-1', '11:30'),
      v.wentOffDuty('d-1', '12:00'),
      v.retired('12:30'),
    ]),
  ).thenDocumentLike(vehicles, 'v-1', {
    dutyStatus: 'Retired',
    driverId: null,
    routeId: null,
    plannedLoadKg: null,
    updatedAt: utcAt('12:30'),
    revision: 5,
  }),
);

test('shows a registered vehicle off duty with nothing on board', async (t) => {
  const { documents, queries } = await open(t);
  await applyEvents(documents, fleetProjection, [createTestLog().record(vehicleEvents, 'vehicle-v-1', v.registered('05:00'))]);
  const expected: FleetVehicleView = {
    vehicleId: 'v-1',
    depotId: 'ams-1',
    plate: 'NL-v-1',
    capacityKg: 800,
    dutyStatus: 'OffDuty',
    driverId: null,
    routeId: null,
    plannedLoadKg: null,
    registeredAt: utcAt('05:00'),
    updatedAt: utcAt('05:00'),
    revision: 0,
    loadKg: 0,
    parcelIds: [],
    loadPercent: 0,
  };
  t.deepEqual(await queries.byId('v-1'), expected);
});

test('follows duty, route and load: parcels come on when loaded and go off when delivered, returned or released', async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const vehicle = (event: VehicleEvent) => log.record(vehicleEvents, 'vehicle-v-1', event);
  const parcel = (id: string) => (event: ParcelEvent) => log.record(parcelEvents, `parcel-${id}`, event);
  const [on1, on2, on3] = [parcel('p-1'), parcel('p-2'), parcel('p-3')];
  const view = async (...events: RecordedEvent[]) => {
    await applyEvents(documents, fleetProjection, events);
    return queries.byId('v-1');
  };

  await view(vehicle(v.registered('05:00')), vehicle(v.wentOnDuty('d-1', '06:00')));
  t.like(await queries.byId('v-1'), { dutyStatus: 'OnDuty', driverId: 'd-1', routeId: null });

  const loaded = await view(
    vehicle(v.assigned('r-1', 'd-1', 49.75, '06:30')),
    ...[p1.registered(), p1.assigned('r-1', '06:40'), p1.loaded('r-1', 'v-1', '07:00')].map(on1),
    ...[p2.registered(), p2.assigned('r-1', '06:40'), p2.loaded('r-1', 'v-1', '07:05')].map(on2),
    ...[p3.registered(), p3.assigned('r-1', '06:40'), p3.loaded('r-1', 'v-1', '07:10')].map(on3),
  );
  t.like(loaded, {
    dutyStatus: 'OnRoute',
    routeId: 'r-1',
    plannedLoadKg: 49.75,
    loadKg: 49.75,
    loadPercent: 6.2,
    updatedAt: utcAt('06:30'),
  });
  t.deepEqual(loaded?.parcelIds, ['p-1', 'p-2', 'p-3']);

  const underway = await view(
    ...[p1.outForDelivery('r-1', 'v-1', 1, '08:00'), p1.delivered('r-1', 'v-1', 1, '08:20')].map(on1),
    ...[p2.outForDelivery('r-1', 'v-1', 1, '08:30'), p2.failed('r-1', 'v-1', 1, '08:45')].map(on2),
    on3(p3.released('r-1', '09:00')),
  );
  t.like(underway, { loadKg: 30, parcelIds: ['p-2'] }, 'delivered and released are off; a failed attempt stays on board');

  const back = await view(on2(p2.returned('r-1', 'v-1', '11:00')), vehicle(v.released('r-1', 'd-1', '11:30')));
  t.like(back, { dutyStatus: 'OnDuty', routeId: null, plannedLoadKg: null, driverId: 'd-1', loadKg: 0, parcelIds: [], loadPercent: 0 });

  const retired = await view(vehicle(v.wentOffDuty('d-1', '12:00')), vehicle(v.retired('12:30')));
  t.like(retired, { dutyStatus: 'Retired', driverId: null, updatedAt: utcAt('12:30'), revision: 5 });
});

test('measures the load against the current capacity', async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const small = vehicleFacts('v-1', { capacityKg: 40 });
  await applyEvents(documents, fleetProjection, [
    ...log.recordAll(vehicleEvents, 'vehicle-v-1', [
      small.registered(),
      small.wentOnDuty('d-1', '06:00'),
      small.assigned('r-1', 'd-1', 30, '06:30'),
    ]),
    ...log.recordAll(parcelEvents, 'parcel-p-2', [p2.registered(), p2.assigned('r-1', '06:40'), p2.loaded('r-1', 'v-1', '07:00')]),
  ]);
  t.like(await queries.byId('v-1'), { loadKg: 30, loadPercent: 75 });
  await applyEvents(documents, fleetProjection, [log.record(vehicleEvents, 'vehicle-v-1', small.capacityChanged(32, '07:30'))]);
  t.like(await queries.byId('v-1'), { capacityKg: 32, loadPercent: 93.8 });
});

test('counts a parcel loaded before its vehicle is known, once the vehicle is', async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const parcel = log.recordAll(parcelEvents, 'parcel-p-1', [
    p1.registered(),
    p1.assigned('r-1', '06:40'),
    p1.loaded('r-1', 'v-1', '07:00'),
  ]);
  const vehicle = log.recordAll(vehicleEvents, 'vehicle-v-1', [
    v.registered(),
    v.wentOnDuty('d-1', '06:00'),
    v.assigned('r-1', 'd-1', 12.5, '06:30'),
  ]);
  await applyEvents(documents, fleetProjection, parcel);
  t.is(await queries.byId('v-1'), undefined);
  await applyEvents(documents, fleetProjection, vehicle);
  t.like(await queries.byId('v-1'), { dutyStatus: 'OnRoute', loadKg: 12.5, parcelIds: ['p-1'] });
});

test('follows parcel streams whole: events that move nothing are ignored, but still checkpointed', async (t) => {
  const { documents } = await open(t);
  const events = createTestLog().recordAll(parcelEvents, 'parcel-p-1', [
    p1.registered(),
    p1.assigned('r-1', '06:40'),
    p1.loaded('r-1', 'v-1', '07:00'),
  ]);
  t.deepEqual(await applyEvents(documents, fleetProjection, events), ['ignored', 'ignored', 'applied']);
  t.deepEqual(await applyEvents(documents, fleetProjection, events), ['duplicate', 'duplicate', 'duplicate']);
});

test('applying the same events again changes nothing', async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const events = [
    ...log.recordAll(vehicleEvents, 'vehicle-v-1', [v.registered(), v.wentOnDuty('d-1', '06:00'), v.assigned('r-1', 'd-1', 42.5, '06:30')]),
    ...log.recordAll(parcelEvents, 'parcel-p-1', [
      p1.registered(),
      p1.assigned('r-1', '06:40'),
      p1.loaded('r-1', 'v-1', '07:00'),
      p1.outForDelivery('r-1', 'v-1', 1, '08:00'),
      p1.delivered('r-1', 'v-1', 1, '08:10'),
    ]),
    ...log.recordAll(parcelEvents, 'parcel-p-2', [p2.registered(), p2.assigned('r-1', '06:40'), p2.loaded('r-1', 'v-1', '07:00')]),
  ];
  await applyEvents(documents, fleetProjection, events);
  const before = await queries.byId('v-1');
  t.like(before, { loadKg: 30, parcelIds: ['p-2'] });
  t.deepEqual(
    await applyEvents(documents, fleetProjection, events),
    events.map(() => 'duplicate'),
  );
  // A redelivered load after the parcel was delivered must not put it back on board.
  t.deepEqual(await applyEvents(documents, fleetProjection, [events[5]!]), ['duplicate']);
  t.deepEqual(await queries.byId('v-1'), before);
});

test('refuses an event that arrives before an earlier revision of its stream, and applies it after', async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const vehicle = log.recordAll(vehicleEvents, 'vehicle-v-1', [v.registered(), v.wentOnDuty('d-1', '06:00')]);
  const [registered, assigned, loaded, out, delivered] = log.recordAll(parcelEvents, 'parcel-p-1', [
    p1.registered(),
    p1.assigned('r-1', '06:40'),
    p1.loaded('r-1', 'v-1', '07:00'),
    p1.outForDelivery('r-1', 'v-1', 1, '08:00'),
    p1.delivered('r-1', 'v-1', 1, '08:10'),
  ]) as [RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent];
  await applyEvents(documents, fleetProjection, [...vehicle, registered, assigned]);
  // The delivery overtakes the load on the bus: applying it now would leave the parcel on board for good.
  t.deepEqual(await applyEvents(documents, fleetProjection, [delivered]), ['gap']);
  t.deepEqual(await applyEvents(documents, fleetProjection, [loaded]), ['applied']);
  t.like(await queries.byId('v-1'), { loadKg: 12.5 });
  t.deepEqual(await applyEvents(documents, fleetProjection, [out, delivered]), ['ignored', 'applied']);
  t.like(await queries.byId('v-1'), { loadKg: 0, parcelIds: [] });
});
