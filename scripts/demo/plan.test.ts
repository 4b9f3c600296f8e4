// The wave's plan is pure data from the run id: the same id gives the same requests, and every request is valid.
import test from 'ava';
import { parcelsOf, planWave, type PlanOptions } from './plan.ts';

const options: PlanOptions = {
  runId: 'mf00abcd',
  epoch: Date.parse('2026-11-21T06:00:00Z'),
  vehicles: 7,
  stopsPerRoute: 15,
  failRate: 0.08,
};
const identifier = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

test('the same run id plans the same wave; another run id plans other ids', (t) => {
  t.deepEqual(planWave(options), planWave(options));
  const other = planWave({ ...options, runId: 'mf00abce' });
  const ids = (plan: ReturnType<typeof planWave>) =>
    plan.vehicles.flatMap((v) => [v.vehicleId, v.routeId, ...parcelsOf(v).map((p) => p.parcelId)]);
  const mine = new Set(ids(planWave(options)));
  t.false(ids(other).some((id) => mine.has(id)));
});

test('every van has its stops, 1 or 2 parcels each, a load within capacity, and valid ids', (t) => {
  const plan = planWave(options);
  t.is(plan.vehicles.length, 7);
  for (const vehicle of plan.vehicles) {
    t.is(vehicle.stops.length, 15);
    t.true(vehicle.stops.every((stop) => stop.parcels.length >= 1 && stop.parcels.length <= 2));
    t.true(vehicle.capacityKg >= 600 && vehicle.capacityKg <= 900);
    const load = parcelsOf(vehicle).reduce((sum, parcel) => sum + parcel.weightKg, 0);
    t.true(Math.abs(load - vehicle.plannedLoadKg) < 0.05 && vehicle.plannedLoadKg <= vehicle.capacityKg);
    for (const id of [
      vehicle.vehicleId,
      vehicle.routeId,
      ...vehicle.stops.map((s) => s.stopId),
      ...parcelsOf(vehicle).map((p) => p.parcelId),
    ])
      t.regex(id, identifier);
  }
  const parcelIds = plan.vehicles.flatMap(parcelsOf).map((parcel) => parcel.parcelId);
  t.is(new Set(parcelIds).size, parcelIds.length);
});

test('deadlines fall later the same day, inside the dispatch window, and parcels lie around their depot', (t) => {
  const plan = planWave(options);
  t.is(Date.parse(plan.dispatchWindow.to) - Date.parse(plan.dispatchWindow.from), 10 * 3_600_000);
  for (const vehicle of plan.vehicles)
    for (const parcel of parcelsOf(vehicle)) {
      const hours = (Date.parse(parcel.slaDeadline) - options.epoch) / 3_600_000;
      t.true(hours >= 4 && hours <= 10.5, parcel.slaDeadline);
      t.true(Math.abs(parcel.address.location.lat - vehicle.depot.location.lat) < 0.08);
      t.true(Math.abs(parcel.address.location.lng - vehicle.depot.location.lng) < 0.12);
    }
});

test('the fail rate decides the outcomes: 0 delivers everything, 1 fails everything', (t) => {
  const outcomes = (failRate: number) =>
    planWave({ ...options, failRate })
      .vehicles.flatMap(parcelsOf)
      .map((parcel) => parcel.outcome.kind);
  t.true(outcomes(0).every((kind) => kind === 'deliver'));
  t.true(outcomes(1).every((kind) => kind === 'fail'));
});
