// The Google adapter without Google: the request it sends (the documented OptimizeToursRequest), the plan
// it makes of a documented OptimizeToursResponse, and how it treats the service's failures, over real HTTP
// to a server on this machine that answers as the service would.
import { greatCircleMetres, type GeographicProblem, type OptimizerFailure, type RoutePlan } from '@meridian/kernel';
import { decodedProblem, planViolations } from '@meridian/kernel/testing';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGoogleRouteOptimizer } from './optimizer.ts';
import { optimizeToursRequest, skipPenalty } from './request.ts';
import { planFromResponse } from './response.ts';

const problemJson = {
  metric: 'great-circle',
  speedKmh: 36,
  depot: { lat: 52.3889, lng: 4.8386 },
  startAt: '2026-11-21T07:00:00.250Z',
  vehicles: [
    { vehicleId: 'van-1', capacityKg: 800.5, returnBy: '2026-11-21T15:00:00Z' },
    { vehicleId: 'van-2', capacityKg: 600 },
  ],
  stops: [
    {
      stopId: 'p-1',
      location: { lat: 52.3738, lng: 4.8909 },
      demandKg: 2.5,
      serviceSeconds: 120,
      window: { closesAt: '2026-11-21T12:00:00.500Z' },
    },
    {
      stopId: 'p-2',
      location: { lat: 52.36, lng: 4.9 },
      demandKg: 1.0004,
      serviceSeconds: 90.5,
      window: { opensAt: '2026-11-21T09:00:00.100Z' },
    },
    { stopId: 'p-3', location: { lat: 52.35, lng: 4.87 }, demandKg: 900, serviceSeconds: 60 },
  ],
  search: { seed: 3, timeLimitMs: 2500 },
};
const problemOf = (json: unknown): GeographicProblem => {
  const problem = decodedProblem(json);
  if (problem.metric !== 'great-circle') throw new Error('a geographic problem');
  return problem;
};
const problem = problemOf(problemJson);

test('the request is the documented OptimizeToursRequest: shipments, vehicles, whole seconds, geodesic distances at the speed', (t) => {
  const request = optimizeToursRequest(problem);
  t.like(request, {
    timeout: '2.5s',
    searchMode: 'RETURN_FAST',
    useGeodesicDistances: true,
    geodesicMetersPerSecond: 10,
    model: { globalStartTime: '2026-11-21T07:00:01.000Z', globalEndTime: '2026-11-22T12:00:01.000Z' },
  });
  t.deepEqual(request.model.shipments[0], {
    label: 'p-1',
    deliveries: [
      {
        arrivalLocation: { latitude: 52.3738, longitude: 4.8909 },
        duration: '120s',
        timeWindows: [{ endTime: '2026-11-21T12:00:00.000Z' }],
      },
    ],
    loadDemands: { weightGrams: { amount: '2500' } },
    penaltyCost: skipPenalty,
  });
  // A window opens at the next whole second; demands round up, capacities down: the plan stays feasible in kilograms.
  t.like(request.model.shipments[1], {
    deliveries: [{ duration: '90.5s', timeWindows: [{ startTime: '2026-11-21T09:00:01.000Z' }] }],
    loadDemands: { weightGrams: { amount: '1001' } },
  });
  t.deepEqual(request.model.vehicles[0], {
    label: 'van-1',
    startLocation: { latitude: 52.3889, longitude: 4.8386 },
    endLocation: { latitude: 52.3889, longitude: 4.8386 },
    loadLimits: { weightGrams: { maxLoad: '800500' } },
    costPerKilometer: 1,
    endTimeWindows: [{ endTime: '2026-11-21T15:00:00.000Z' }],
  });
  t.false('endTimeWindows' in request.model.vehicles[1]!, 'a vehicle without a shift end has no end window');
});

test('a route’s stop limit is a load of visits: one per stop, at most the limit per vehicle', (t) => {
  const limited = problemOf({ ...problemJson, vehicles: [{ ...problemJson.vehicles[0], maxStops: 40 }, problemJson.vehicles[1]] });
  const request = optimizeToursRequest(limited);
  t.true(request.model.shipments.every((shipment) => shipment.loadDemands.visits?.amount === '1'));
  t.deepEqual(request.model.vehicles[0]!.loadLimits, { weightGrams: { maxLoad: '800500' }, visits: { maxLoad: '40' } });
  t.deepEqual(request.model.vehicles[1]!.loadLimits, { weightGrams: { maxLoad: '600000' } }, 'no limit: no visits load');
  t.false('visits' in optimizeToursRequest(problem).model.shipments[0]!.loadDemands, 'without limits, stops are not counted');
});

/** The answer Google would give for van-2 (vehicleIndex 1) visiting p-2 (index 1) then p-1 (index 0, left out as proto3 JSON does), p-3 skipped. */
const answer = () => {
  const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const metres = (a: { lat: number; lng: number }, b: { lat: number; lng: number }) => Math.round(greatCircleMetres(a, b));
  const [depot, p1, p2] = [problemJson.depot, problemJson.stops[0]!.location, problemJson.stops[1]!.location];
  const start = Date.parse('2026-11-21T07:00:01Z');
  const leg1 = metres(depot, p2);
  const arrive2 = start + leg1 * 100; // 10 m/s
  const start2 = Date.parse('2026-11-21T09:00:01Z');
  const leg2 = metres(p2, p1);
  const start1 = start2 + 90_500 + leg2 * 100;
  const leg3 = metres(p1, depot);
  const end = start1 + 120_000 + leg3 * 100;
  return {
    routes: [
      { vehicleLabel: 'van-1', vehicleStartTime: at(start), vehicleEndTime: at(start) },
      {
        vehicleIndex: 1,
        vehicleLabel: 'van-2',
        vehicleStartTime: at(start),
        vehicleEndTime: at(end),
        visits: [
          { shipmentIndex: 1, startTime: at(start2), shipmentLabel: 'p-2' },
          { startTime: at(start1), shipmentLabel: 'p-1' },
        ],
        transitions: [
          {
            travelDuration: `${leg1 / 10}s`,
            travelDistanceMeters: leg1,
            waitDuration: `${(start2 - arrive2) / 1000}s`,
            startTime: at(start),
          },
          { travelDuration: `${leg2 / 10}s`, travelDistanceMeters: leg2, startTime: at(start2 + 90_500) },
          { travelDuration: `${leg3 / 10}s`, travelDistanceMeters: leg3, startTime: at(start1 + 120_000) },
        ],
        metrics: { performedShipmentCount: 2, travelDistanceMeters: leg1 + leg2 + leg3 },
      },
    ],
    skippedShipments: [{ index: 2, label: 'p-3', reasons: [{ code: 'DEMAND_EXCEEDS_VEHICLE_CAPACITY', exampleVehicleIndex: 1 }] }],
    metrics: { usedVehicleCount: 1 },
  };
};

test('a documented answer becomes the plan: defaults left out read as 0, waits give arrivals, skipped shipments their reasons', (t) => {
  const plan = planFromResponse(problem, answer());
  if (E.isLeft(plan)) return t.fail(plan.left);
  t.deepEqual(planViolations(problem, plan.right, { timeToleranceMs: 1_000, distanceTolerance: 0.005 }), []);
  t.deepEqual(
    plan.right.routes.map((route) => [route.vehicleId, route.stops.map((stop) => stop.stopId)]),
    [['van-2', ['p-2', 'p-1']]],
  );
  t.is(plan.right.routes[0]!.stops[0]!.startsAt, '2026-11-21T09:00:01.000Z');
  t.true(plan.right.routes[0]!.stops[0]!.arrivesAt < plan.right.routes[0]!.stops[0]!.startsAt, 'it waited for the shop to open');
  t.deepEqual(plan.right.unassigned, [{ stopId: 'p-3', reason: 'exceeds-capacity', detail: 'skipped: DEMAND_EXCEEDS_VEHICLE_CAPACITY' }]);
  t.is(plan.right.search.optimizer, 'google-route-optimization');
});

test('an answer that forgets a stop still reports it; one that visits a stop twice is refused', (t) => {
  const forgetful = { ...answer(), skippedShipments: [] };
  const plan = planFromResponse(problem, forgetful);
  t.deepEqual(E.isRight(plan) && plan.right.unassigned.map((u) => [u.stopId, u.reason]), [['p-3', 'no-room']]);
  const twice = answer();
  twice.routes[1]!.visits!.push({ shipmentIndex: 1, startTime: twice.routes[1]!.vehicleEndTime, shipmentLabel: 'p-2' });
  t.deepEqual(planFromResponse(problem, twice), E.left('the answer visits p-2 twice (van-2 and van-2)'));
  t.true(E.isLeft(planFromResponse(problem, { routes: 'none' })));
});

type Reply = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A server on this machine that answers as the service would; the adapter talks real HTTP to it. */
const serving = async (reply: Reply) => {
  const requests: { url: string | undefined; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      requests.push({ url: request.url, headers: request.headers, body });
      reply(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

const json = (status: number, body: unknown) => (_: IncomingMessage, __: string, response: ServerResponse) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const optimizeAgainst = async (reply: Reply, input: GeographicProblem = problem, marginMs = 5_000) => {
  const server = await serving(reply);
  try {
    const optimizer = createGoogleRouteOptimizer({
      projectId: 'meridian-test',
      location: 'europe-west4',
      endpoint: server.endpoint,
      accessToken: async () => 'token-1',
      marginMs,
    });
    return { outcome: await optimizer.optimize(input), requests: server.requests };
  } finally {
    await server.close();
  }
};

const failure = (outcome: E.Either<OptimizerFailure, RoutePlan>) => (E.isLeft(outcome) ? outcome.left : undefined);

test('over HTTP: it posts the request to the project and location, with the bearer token, and answers the plan', async (t) => {
  const { outcome, requests } = await optimizeAgainst(json(200, answer()));
  t.true(E.isRight(outcome));
  t.is(requests.length, 1);
  t.is(requests[0]!.url, '/v1/projects/meridian-test/locations/europe-west4:optimizeTours');
  t.like(requests[0]!.headers, {
    authorization: 'Bearer token-1',
    'content-type': 'application/json',
    'x-goog-user-project': 'meridian-test',
  });
  t.deepEqual(JSON.parse(requests[0]!.body), JSON.parse(JSON.stringify(optimizeToursRequest(problem))));
});

test('over HTTP: overload and outages are transient, a refused request is not, and both say what the service said', async (t) => {
  const unavailable = await optimizeAgainst(
    json(503, { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } }),
  );
  t.deepEqual(failure(unavailable.outcome), {
    _tag: 'OptimizerUnavailable',
    message: '503 UNAVAILABLE: The service is currently unavailable.',
  });
  const quota = await optimizeAgainst(json(429, { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } }));
  t.is(failure(quota.outcome)?._tag, 'OptimizerUnavailable');
  const invalid = await optimizeAgainst(
    json(400, { error: { code: 400, message: 'shipments[0]: bad time window', status: 'INVALID_ARGUMENT' } }),
  );
  t.deepEqual(failure(invalid.outcome), { _tag: 'OptimizerRefused', message: '400 INVALID_ARGUMENT: shipments[0]: bad time window' });
  const denied = await optimizeAgainst(
    json(403, { error: { code: 403, message: 'Route Optimization API has not been used', status: 'PERMISSION_DENIED' } }),
  );
  t.is(failure(denied.outcome)?._tag, 'OptimizerRefused');
  const garbled = await optimizeAgainst(json(200, { routes: [{ visits: [{ shipmentIndex: 7, startTime: 'soon' }] }] }));
  t.is(failure(garbled.outcome)?._tag, 'OptimizerUnavailable');
});

test('over HTTP: no answer by the time limit and its margin is transient', async (t) => {
  const quick = problemOf({ ...problemJson, search: { seed: 1, timeLimitMs: 100 } });
  // The server holds the request and never answers; the adapter gives up after 100 ms + 200 ms.
  const { outcome } = await optimizeAgainst(() => undefined, quick, 200);
  const timedOut = failure(outcome);
  t.true(timedOut?._tag === 'OptimizerUnavailable' && /no answer from/.test(timedOut.message), JSON.stringify(timedOut));
});

test('a plane or an empty problem never reaches the service', async (t) => {
  let calls = 0;
  const server = await serving((_, __, response) => {
    calls++;
    response.end();
  });
  try {
    const optimizer = createGoogleRouteOptimizer({ projectId: 'p', endpoint: server.endpoint, accessToken: async () => 'x' });
    const plane = decodedProblem({
      metric: 'rounded-euclidean',
      unitsPerHour: 60,
      depot: { x: 0, y: 0 },
      startAt: '2026-11-21T07:00:00Z',
      vehicles: [{ vehicleId: 'v', capacityKg: 10 }],
      stops: [{ stopId: 's', location: { x: 1, y: 1 }, demandKg: 1, serviceSeconds: 0 }],
      search: { seed: 1, timeLimitMs: 100 },
    });
    t.deepEqual(failure(await optimizer.optimize(plane)), {
      _tag: 'InvalidProblem',
      errors: [{ pointer: '#/metric', detail: 'must be "great-circle": Google Route Optimization plans geographic problems only' }],
    });
    const empty = await optimizer.optimize(problemOf({ ...problemJson, stops: [] }));
    t.true(E.isRight(empty) && empty.right.routes.length === 0);
    t.is(calls, 0);
  } finally {
    await server.close();
  }
});
