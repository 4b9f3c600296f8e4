import type { RecordedEvent } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { vehicleEvents, type VehicleEvent } from '@meridian/vehicle';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, openDocuments, parcelFacts, vehicleFacts, type TestLog } from '../testing/index.ts';
import { fleetProjection } from './projection.ts';
import { fleetQueries } from './queries.ts';
import type { VehicleDutyStatus } from './view.ts';

const open = async (t: { teardown: (fn: () => Promise<void>) => void }) => {
  const documents = await openDocuments(fleetProjection);
  t.teardown(() => documents.close());
  return { documents, queries: fleetQueries(documents) };
};

/** A vehicle of a depot brought to a duty status, with one parcel of `weightKg` on board if on a route. */
const vehicle = (log: TestLog, vehicleId: string, depotId: string, duty: VehicleDutyStatus, weightKg = 10): RecordedEvent[] => {
  const v = vehicleFacts(vehicleId, { depotId });
  const history: Record<VehicleDutyStatus, VehicleEvent[]> = {
    OffDuty: [v.registered()],
    OnDuty: [v.registered(), v.wentOnDuty('d-1', '06:00')],
    OnRoute: [v.registered(), v.wentOnDuty('d-1', '06:00'), v.assigned(`r-${vehicleId}`, 'd-1', weightKg, '06:30')],
    Retired: [v.registered(), v.retired('06:00')],
  };
  const p = parcelFacts(`p-${vehicleId}`, { weightKg });
  const load =
    duty === 'OnRoute'
      ? log.recordAll(parcelEvents, `parcel-p-${vehicleId}`, [
          p.registered(),
          p.assigned(`r-${vehicleId}`, '06:40'),
          p.loaded(`r-${vehicleId}`, vehicleId, '07:00'),
        ])
      : [];
  return [...log.recordAll(vehicleEvents, `vehicle-${vehicleId}`, history[duty]), ...load];
};

const seed = async (t: { teardown: (fn: () => Promise<void>) => void }) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  await applyEvents(documents, fleetProjection, [
    ...vehicle(log, 'v-5', 'ams-1', 'OnRoute', 120),
    ...vehicle(log, 'v-1', 'ams-1', 'OffDuty'),
    ...vehicle(log, 'v-3', 'rtm-1', 'OnRoute', 40),
    ...vehicle(log, 'v-2', 'ams-1', 'OnDuty'),
    ...vehicle(log, 'v-4', 'rtm-1', 'Retired'),
  ]);
  return queries;
};

const idsOf = (page: { documents: readonly { vehicleId: string }[] }) => page.documents.map((d) => d.vehicleId);

test('finds one vehicle by id with its load, and nothing for an unknown one', async (t) => {
  const queries = await seed(t);
  t.like(await queries.byId('v-5'), { depotId: 'ams-1', dutyStatus: 'OnRoute', loadKg: 120, parcelIds: ['p-v-5'], loadPercent: 15 });
  t.is(await queries.byId('v-9'), undefined);
});

test('lists vehicles by vehicleId, by depot, duty status or both, each with its load', async (t) => {
  const queries = await seed(t);
  t.deepEqual(idsOf(await queries.list()), ['v-1', 'v-2', 'v-3', 'v-4', 'v-5']);
  t.deepEqual(idsOf(await queries.list({ depotId: 'ams-1' })), ['v-1', 'v-2', 'v-5']);
  t.deepEqual(idsOf(await queries.list({ dutyStatus: 'OnRoute' })), ['v-3', 'v-5']);
  t.deepEqual(idsOf(await queries.list({ dutyStatus: ['OnDuty', 'OffDuty'] })), ['v-1', 'v-2']);
  t.deepEqual(idsOf(await queries.list({ depotId: 'rtm-1', dutyStatus: 'OnRoute' })), ['v-3']);
  t.deepEqual(idsOf(await queries.list({ depotId: 'nowhere' })), []);
  const loads = (await queries.list()).documents.map((d) => [d.vehicleId, d.loadKg]);
  t.deepEqual(loads, [
    ['v-1', 0],
    ['v-2', 0],
    ['v-3', 40],
    ['v-4', 0],
    ['v-5', 120],
  ]);
});

test('pages through vehicles with the cursor', async (t) => {
  const queries = await seed(t);
  const first = await queries.list({ limit: 2 });
  t.deepEqual(idsOf(first), ['v-1', 'v-2']);
  const second = await queries.list({ limit: 2, after: first.next! });
  t.deepEqual(idsOf(second), ['v-3', 'v-4']);
  const third = await queries.list({ limit: 2, after: second.next! });
  t.deepEqual(idsOf(third), ['v-5']);
  t.is(third.next, undefined);
});

test('reads the loads of a page larger than one `in` filter allows', async (t) => {
  const { documents, queries } = await open(t);
  const log = createTestLog();
  const ids = Array.from({ length: 35 }, (_, i) => `v-${String(i).padStart(2, '0')}`);
  await applyEvents(
    documents,
    fleetProjection,
    ids.flatMap((id, i) => vehicle(log, id, 'ams-1', 'OnRoute', i + 1)),
  );
  const page = await queries.list({ limit: 35 });
  t.deepEqual(
    page.documents.map((d) => d.loadKg),
    ids.map((_, i) => i + 1),
  );
});
