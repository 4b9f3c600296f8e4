import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { decodeRoutingProblem, describeOptimizerFailure, isTransientOptimizerFailure, RoutePlan } from './route-optimizer.ts';

const problem = {
  metric: 'great-circle',
  speedKmh: 30,
  depot: { lat: 52.39, lng: 4.84 },
  startAt: '2026-11-21T07:00:00Z',
  vehicles: [{ vehicleId: 'van-1', capacityKg: 800, returnBy: '2026-11-21T19:00:00Z' }],
  stops: [
    {
      stopId: 'p-1',
      location: { lat: 52.37, lng: 4.89 },
      demandKg: 2.5,
      serviceSeconds: 120,
      window: { closesAt: '2026-11-21T17:00:00Z' },
    },
    { stopId: 'p-2', location: { lat: 52.36, lng: 4.9 }, demandKg: 1, serviceSeconds: 120 },
  ],
  search: { seed: 7, timeLimitMs: 1000 },
};

test('a problem decodes as plain data, and encodes back to the same JSON', (t) => {
  const decoded = decodeRoutingProblem(problem);
  t.true(E.isRight(decoded));
  if (E.isRight(decoded)) t.deepEqual(JSON.parse(JSON.stringify(decoded.right)), problem);
});

test('the metric decides the shape of locations: a plane point in a great-circle problem is pointed at', (t) => {
  const decoded = decodeRoutingProblem({ ...problem, depot: { x: 1, y: 2 } });
  t.deepEqual(E.isLeft(decoded) && decoded.left.map((e) => e.pointer).sort(), ['#/depot/lat', '#/depot/lng', '#/depot/x', '#/depot/y']);
  const planar = decodeRoutingProblem({
    metric: 'rounded-euclidean',
    unitsPerHour: 60,
    depot: { x: 0, y: 0 },
    startAt: problem.startAt,
    vehicles: problem.vehicles,
    stops: [{ stopId: 'c-1', location: { x: 3, y: 4 }, demandKg: 5, serviceSeconds: 0 }],
    search: problem.search,
  });
  t.true(E.isRight(planar));
});

test('bad fields and broken rules between fields are reported with their paths, all at once', (t) => {
  const decoded = decodeRoutingProblem({
    ...problem,
    vehicles: [{ vehicleId: 'van-1', capacityKg: 0 }],
    stops: [{ ...problem.stops[0], demandKg: -1 }, problem.stops[1]],
    search: { seed: 1.5, timeLimitMs: 0 },
  });
  t.deepEqual(E.isLeft(decoded) && decoded.left.map((e) => e.pointer), [
    '#/vehicles/0/capacityKg',
    '#/stops/0/demandKg',
    '#/search/seed',
    '#/search/timeLimitMs',
  ]);
  const rules = decodeRoutingProblem({
    ...problem,
    vehicles: [problem.vehicles[0], { vehicleId: 'van-1', capacityKg: 10, returnBy: '2026-11-21T06:00:00Z' }],
    stops: [
      problem.stops[0],
      { ...problem.stops[1], stopId: 'p-1', window: { opensAt: '2026-11-21T12:00:00Z', closesAt: '2026-11-21T11:00:00Z' } },
    ],
  });
  t.deepEqual(E.isLeft(rules) && rules.left, [
    { pointer: '#/stops/1/stopId', detail: 'is the same as #/stops/0/stopId' },
    { pointer: '#/stops/1/window', detail: 'must open (opensAt) no later than it closes (closesAt)' },
    { pointer: '#/vehicles/1/vehicleId', detail: 'is the same as #/vehicles/0/vehicleId' },
    { pointer: '#/vehicles/1/returnBy', detail: 'must not be before startAt' },
  ]);
});

test('a plan decodes, as a process manager reads it back from an activity outcome', (t) => {
  const plan = {
    routes: [
      {
        vehicleId: 'van-1',
        departsAt: '2026-11-21T07:00:00.000Z',
        stops: [
          {
            stopId: 'p-1',
            arrivesAt: '2026-11-21T07:10:00.000Z',
            startsAt: '2026-11-21T07:10:00.000Z',
            departsAt: '2026-11-21T07:12:00.000Z',
          },
        ],
        returnsAt: '2026-11-21T07:22:00.000Z',
        distance: 8000,
        loadKg: 2.5,
      },
    ],
    unassigned: [{ stopId: 'p-2', reason: 'no-room', detail: 'no route had room for it' }],
    distance: 8000,
    distanceUnit: 'metres',
    search: { optimizer: 'embedded', cutByTimeLimit: false, seed: 7, iterations: 100 },
  };
  t.true(RoutePlan.is(plan));
  t.true(E.isRight(RoutePlan.decode(plan)));
  t.true(E.isLeft(RoutePlan.decode({ ...plan, unassigned: [{ stopId: 'p-2', reason: 'lost', detail: '' }] })));
});

test('failures say whether asking again can help', (t) => {
  t.true(isTransientOptimizerFailure({ _tag: 'OptimizerUnavailable', message: 'timeout' }));
  t.false(isTransientOptimizerFailure({ _tag: 'OptimizerRefused', message: 'PERMISSION_DENIED' }));
  t.false(isTransientOptimizerFailure({ _tag: 'InvalidProblem', errors: [] }));
  t.is(
    describeOptimizerFailure({
      _tag: 'InvalidProblem',
      errors: [{ pointer: '#/stops/0/demandKg', detail: 'must be a number, 0 or more' }],
    }),
    'invalid problem: #/stops/0/demandKg must be a number, 0 or more',
  );
});
