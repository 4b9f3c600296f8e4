// Reading the optimizer's answer: a plan is used only if it accounts for the problem exactly.
import type { GeoPoint, IsoDateTime, Kilograms } from '@meridian/kernel';
import type { ParcelId } from '@meridian/parcel';
import { maxStopsPerRoute } from '@meridian/route';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { problemOf, readPlan, seedOf } from './optimize.ts';
import { planAnswer } from './testing/plans.ts';

const parcels = (n: number, weightKg = 10) =>
  Array.from({ length: n }, (_, i) => ({
    parcelId: `p-${i + 1}` as ParcelId,
    location: { lat: 52, lng: 4 + i / 1000 } as GeoPoint,
    weightKg: weightKg as Kilograms,
    slaDeadline: '2026-11-21T17:00:00Z' as IsoDateTime,
  }));
const problemFor = (n: number, capacityKg = 100) =>
  problemOf({
    windowId: 'w-1',
    depot: { lat: 52, lng: 4 } as GeoPoint,
    startAt: '2026-11-21T06:00:00Z',
    parcels: parcels(n),
    vehicles: [
      { vehicleId: 'v-1', capacityKg },
      { vehicleId: 'v-2', capacityKg },
    ],
    serviceSeconds: 120,
    optimizerSeconds: 5,
  });

const problem = problemFor(3);
const reason = (answer: unknown, p = problem) => {
  const read = readPlan(answer, p);
  return E.isLeft(read) ? read.left : 'usable';
};

test('a plan that accounts for every stop once is read as routes of parcels, and what was left out', (t) => {
  const read = readPlan(
    planAnswer(problem, [{ vehicleId: 'v-1', stopIds: ['p-2', 'p-1'] }], [{ stopId: 'p-3', reason: 'no-room' }]),
    problem,
  );
  t.deepEqual(
    read,
    E.right({
      routes: [{ vehicleId: 'v-1', parcelIds: ['p-2', 'p-1'], distanceMetres: 2000 }],
      leftOut: [{ parcelId: 'p-3', reason: 'no-room' }],
      distanceMetres: 2000,
      optimizer: 'test-greedy',
    }),
  );
});
test('extra fields of the answer are ignored (a tolerant reader of the port)', (t) => {
  const answer = { ...planAnswer(problem, [{ vehicleId: 'v-1', stopIds: ['p-1', 'p-2', 'p-3'] }]), somethingNew: true };
  t.is(reason(answer), 'usable');
});
test('an answer that is not a plan', (t) => t.is(reason({ routes: 'many' }), 'the optimizer answered something that is not a plan'));
test("a vehicle that is not the problem's", (t) =>
  t.regex(reason(planAnswer(problem, [{ vehicleId: 'v-9', stopIds: ['p-1', 'p-2', 'p-3'] }])), /vehicle v-9 is not one of the problem's/));
test('a vehicle with two routes', (t) =>
  t.regex(
    reason(
      planAnswer(problem, [
        { vehicleId: 'v-1', stopIds: ['p-1'] },
        { vehicleId: 'v-1', stopIds: ['p-2', 'p-3'] },
      ]),
    ),
    /v-1 has two routes/,
  ));
test('a stop planned twice', (t) =>
  t.regex(
    reason(
      planAnswer(problem, [
        { vehicleId: 'v-1', stopIds: ['p-1', 'p-2'] },
        { vehicleId: 'v-2', stopIds: ['p-2', 'p-3'] },
      ]),
    ),
    /p-2 is planned twice/,
  ));
test('a stop both planned and left out', (t) =>
  t.regex(
    reason(planAnswer(problem, [{ vehicleId: 'v-1', stopIds: ['p-1', 'p-2', 'p-3'] }], [{ stopId: 'p-3', reason: 'no-room' }])),
    /p-3 is planned twice/,
  ));
test('a stop the problem does not have', (t) =>
  t.regex(reason(planAnswer(problem, [{ vehicleId: 'v-1', stopIds: ['p-1', 'p-2', 'p-3', 'p-4'] }])), /p-4 is not in the problem/));
test('a stop neither planned nor left out: never dropped silently', (t) =>
  t.regex(reason(planAnswer(problem, [{ vehicleId: 'v-1', stopIds: ['p-1', 'p-2'] }])), /p-3 is neither planned nor left out/));
test("a route over its vehicle's capacity", (t) => {
  const small = problemFor(3, 15);
  t.regex(
    reason(
      planAnswer(small, [
        { vehicleId: 'v-1', stopIds: ['p-1', 'p-2'] },
        { vehicleId: 'v-2', stopIds: ['p-3'] },
      ]),
      small,
    ),
    /v-1 would carry 20 kg, over its 15 kg/,
  );
});
test('a route longer than a route may be keeps its first stops; the rest are left out, saying why', (t) => {
  const long = problemFor(maxStopsPerRoute + 2, 100_000);
  const stopIds = long.stops.map((stop) => stop.stopId);
  const read = readPlan(planAnswer(long, [{ vehicleId: 'v-1', stopIds }]), long);
  if (E.isLeft(read)) return t.fail(read.left);
  t.is(read.right.routes[0]?.parcelIds.length, maxStopsPerRoute);
  t.deepEqual(
    read.right.leftOut,
    stopIds.slice(maxStopsPerRoute).map((parcelId) => ({ parcelId, reason: 'route-too-long' })),
  );
});
test("the seed is the window's: the same window, the same seed", (t) => {
  t.is(seedOf('w-1'), seedOf('w-1'));
  t.not(seedOf('w-1'), seedOf('w-2'));
  t.true(Number.isInteger(seedOf('w-1')) && seedOf('w-1') >= 0 && seedOf('w-1') <= 0xffff_ffff);
});
