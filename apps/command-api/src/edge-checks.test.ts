// The edge checks as rules over what is known of other aggregates, with the facts given through their port.
import test from 'ava';
import {
  assignableRoute,
  loadableVehicle,
  plannableParcels,
  runEdgeCheck,
  type EdgeFacts,
  type ParcelFacts,
  type RouteFacts,
  type VehicleFacts,
} from './edge-checks.ts';

type Known = {
  readonly routes?: Readonly<Record<string, RouteFacts>>;
  readonly parcels?: Readonly<Record<string, ParcelFacts>>;
  readonly vehicles?: Readonly<Record<string, VehicleFacts>>;
};

/** Facts from plain records, as a read model or a history would give them. */
const factsOf = ({ routes = {}, parcels = {}, vehicles = {} }: Known): EdgeFacts => ({
  route: async (routeId) => routes[routeId],
  parcels: async (parcelIds) => new Map(parcelIds.flatMap((id) => (parcels[id] === undefined ? [] : [[id, parcels[id]] as const]))),
  vehicle: async (vehicleId) => vehicles[vehicleId],
});

const registered: ParcelFacts = { status: 'Registered', routeId: null, vehicleId: null, weightKg: 4 };
const onRoute = (routeId: string, weightKg = 4): ParcelFacts => ({ status: 'AssignedToRoute', routeId, vehicleId: null, weightKg });
const route = (status: string, vehicleId: string | null = null): RouteFacts => ({ status, vehicleId });

// Assigning a parcel to a route
test('a parcel may be assigned to a route that exists and is open, whatever its progress', async (t) => {
  for (const status of ['Planned', 'Assigned', 'InProgress'])
    t.is(
      await assignableRoute.check({ parcelId: 'p-1', routeId: 'r-1' }, factsOf({ routes: { 'r-1': route(status) } })),
      undefined,
      status,
    );
});
test('assigning to a route that does not exist is refused: route-unavailable, with no status', async (t) => {
  t.like(await assignableRoute.check({ parcelId: 'p-1', routeId: 'r-9' }, factsOf({})), {
    type: '/problems/route-unavailable',
    status: 409,
    detail: 'route r-9 does not exist',
    routeId: 'r-9',
    routeStatus: null,
  });
});
test('assigning to a finished or cancelled route is refused, naming its status', async (t) => {
  for (const status of ['Finished', 'Cancelled'])
    t.like(await assignableRoute.check({ parcelId: 'p-1', routeId: 'r-1' }, factsOf({ routes: { 'r-1': route(status) } })), {
      type: '/problems/route-unavailable',
      routeStatus: status,
    });
});

// Loading a parcel onto a vehicle
const loading = (known: Known, vehicleId = 'v-1') => loadableVehicle.check({ parcelId: 'p-1', vehicleId }, factsOf(known));
const ready: Known = {
  parcels: { 'p-1': onRoute('r-1') },
  routes: { 'r-1': route('InProgress', 'v-1') },
  vehicles: { 'v-1': { capacityKg: 10, loadKg: 6 } },
};
test("a parcel is loaded onto its route's vehicle when it fits", async (t) => {
  t.is(await loading(ready), undefined);
  t.is(
    await loading({ ...ready, vehicles: { 'v-1': { capacityKg: 10, loadKg: 6 } }, parcels: { 'p-1': onRoute('r-1', 4) } }),
    undefined,
    'to the last kilogram',
  );
});
test("loading onto another vehicle than the route's is refused: wrong-vehicle, naming the right one", async (t) => {
  t.like(await loading(ready, 'v-2'), { type: '/problems/wrong-vehicle', status: 409, routeId: 'r-1', expectedVehicleId: 'v-1' });
});
test('loading for a route with no vehicle yet is refused', async (t) => {
  t.like(await loading({ ...ready, routes: { 'r-1': route('Planned') } }), {
    type: '/problems/wrong-vehicle',
    expectedVehicleId: null,
    detail: 'route r-1 of parcel p-1 has no vehicle yet; assign it one first',
  });
});
test('loading for a route that is over is refused: route-unavailable', async (t) => {
  t.like(await loading({ ...ready, routes: { 'r-1': route('Cancelled', 'v-1') } }), {
    type: '/problems/route-unavailable',
    routeStatus: 'Cancelled',
  });
});
test("loading beyond the vehicle's capacity is refused: load-over-capacity, with the numbers", async (t) => {
  t.like(await loading({ ...ready, parcels: { 'p-1': onRoute('r-1', 4.5) } }), {
    type: '/problems/load-over-capacity',
    status: 409,
    vehicleId: 'v-1',
    capacityKg: 10,
    loadKg: 6,
    weightKg: 4.5,
  });
});
test("what the parcel's own decider answers is left to it: unknown, not on a route, loaded already", async (t) => {
  t.is(await loading({ ...ready, parcels: {} }), undefined);
  t.is(await loading({ ...ready, parcels: { 'p-1': registered } }), undefined);
  t.is(
    await loading({ ...ready, parcels: { 'p-1': { status: 'Loaded', routeId: 'r-1', vehicleId: 'v-1', weightKg: 4 } } }, 'v-2'),
    undefined,
  );
});
test('a vehicle nothing is known of yet is not refused for its load', async (t) => {
  t.is(await loading({ ...ready, vehicles: {} }), undefined);
});

// Planning a route
const stop = (stopId: string, ...parcelIds: string[]) => ({ stopId, location: { lat: 52.37, lng: 4.9 }, parcelIds });
const plan = (...stops: ReturnType<typeof stop>[]) => ({
  routeId: 'r-2',
  depotId: 'ams-1',
  dispatchWindow: { from: '2026-11-21T08:00:00Z', to: '2026-11-21T18:00:00Z' },
  stops,
});
test('a route is planned with registered parcels, and parcels back at the depot', async (t) => {
  const parcels = { 'p-1': registered, 'p-2': { ...registered, status: 'ReturnedToDepot' } };
  t.is(await plannableParcels.check(plan(stop('s-1', 'p-1'), stop('s-2', 'p-2')), factsOf({ parcels })), undefined);
});
test('planning with parcels not registered, on a route or closed is refused, each pointed at in the body', async (t) => {
  const parcels = {
    'p-1': registered,
    'p-2': onRoute('r-1'),
    'p-3': { status: 'Cancelled', routeId: null, vehicleId: null, weightKg: 1 },
  };
  const problem = await plannableParcels.check(plan(stop('s-1', 'p-1', 'p-2'), stop('s-2', 'p-9', 'p-3')), factsOf({ parcels }));
  t.like(problem, { type: '/problems/parcels-unavailable', status: 409 });
  t.deepEqual(problem?.errors, [
    { pointer: '#/stops/0/parcelIds/1', detail: 'parcel p-2 is AssignedToRoute on route r-1' },
    { pointer: '#/stops/1/parcelIds/0', detail: 'parcel p-9 is not a registered parcel' },
    { pointer: '#/stops/1/parcelIds/1', detail: 'parcel p-3 is Cancelled' },
  ]);
});

// Read models first, histories to confirm
test('a refusal is given only when the histories confirm it: a read model a moment behind refuses nothing', async (t) => {
  const data = { parcelId: 'p-1', routeId: 'r-1' };
  const behind = factsOf({});
  const history = factsOf({ routes: { 'r-1': route('Planned') } });
  t.is(await runEdgeCheck(assignableRoute, data, { readModels: behind, confirm: history }), undefined);
  t.like(await runEdgeCheck(assignableRoute, data, { readModels: behind, confirm: factsOf({}) }), { type: '/problems/route-unavailable' });
});
test('what the read models let pass is not read again from the histories', async (t) => {
  let asked = 0;
  const history: EdgeFacts = { ...factsOf({}), route: async () => void (asked += 1) };
  const data = { parcelId: 'p-1', routeId: 'r-1' };
  t.is(
    await runEdgeCheck(assignableRoute, data, { readModels: factsOf({ routes: { 'r-1': route('Planned') } }), confirm: history }),
    undefined,
  );
  t.is(asked, 0);
});
