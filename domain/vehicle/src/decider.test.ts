import { fold, type Identifier, type IsoDateTime, type Kilograms, type NonEmptyString } from '@meridian/kernel';
import { givenFor } from '@meridian/kernel/testing';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import type { VehicleCommand } from './commands.ts';
import { vehicleDecider } from './decider.ts';
import type { VehicleAssignedToRoute, VehicleEvent } from './events.ts';
import type { VehicleId } from './values.ts';

const given = givenFor(vehicleDecider);

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const vehicleId = 'v-1' as VehicleId;
const depotId = 'depot-ams' as Identifier;
const driverId = 'd-1' as Identifier;
const otherDriver = 'd-2' as Identifier;
const routeId = 'r-1' as Identifier;
const otherRoute = 'r-2' as Identifier;
const kg = (n: number) => n as Kilograms;
const at = (iso: string) => iso as IsoDateTime;
const text = (s: string) => s as NonEmptyString;
const now = new Date('2026-11-21T09:00:00Z');
const nowIso = at(now.toISOString());
const capacityKg = kg(800);
const plate = text('NL-12-AB');

const command = <C extends VehicleCommand>(type: C['type'], data: C['data'], when = now): VehicleCommand =>
  ({ type, data, metadata: { now: when } }) as VehicleCommand;

const registered: VehicleEvent = {
  type: 'VehicleRegistered',
  data: { vehicleId, depotId, capacityKg, plate, registeredAt: at('2026-11-21T06:00:00Z') },
};
const onDuty: VehicleEvent = {
  type: 'VehicleWentOnDuty',
  data: { vehicleId, depotId, driverId, capacityKg, at: at('2026-11-21T07:00:00Z') },
};
const offDuty: VehicleEvent = { type: 'VehicleWentOffDuty', data: { vehicleId, depotId, driverId, at: at('2026-11-21T08:00:00Z') } };
const assigned = (over: Partial<VehicleAssignedToRoute> = {}): VehicleEvent => ({
  type: 'VehicleAssignedToRoute',
  data: { vehicleId, depotId, routeId, driverId, plannedLoadKg: kg(600), capacityKg, at: at('2026-11-21T07:30:00Z'), ...over },
});
const released: VehicleEvent = {
  type: 'VehicleReleasedFromRoute',
  data: { vehicleId, depotId, routeId, driverId, at: at('2026-11-21T07:45:00Z') },
};
const retired: VehicleEvent = {
  type: 'VehicleRetired',
  data: { vehicleId, depotId, reason: text('end of lease'), at: at('2026-11-21T08:30:00Z') },
};
const onDutyNow = (driver: Identifier): VehicleEvent => ({
  type: 'VehicleWentOnDuty',
  data: { vehicleId, depotId, driverId: driver, capacityKg, at: nowIso },
});
const assignedNow = (route: Identifier, plannedLoadKg: Kilograms, capacity = capacityKg): VehicleEvent =>
  assigned({ routeId: route, plannedLoadKg, capacityKg: capacity, at: nowIso });
const capacityChanged = (to: Kilograms, from = capacityKg, when = nowIso): VehicleEvent => ({
  type: 'VehicleCapacityChanged',
  data: { vehicleId, depotId, capacityKg: to, previousCapacityKg: from, at: when },
});
const onRoute = [registered, onDuty, assigned()];

const register = command('RegisterVehicle', { vehicleId, depotId, capacityKg, plate });
const goOnDuty = command('GoOnDuty', { vehicleId, driverId });
const goOffDuty = command('GoOffDuty', { vehicleId });
const assign = (route: Identifier, plannedLoadKg: number) =>
  command('AssignVehicleToRoute', { vehicleId, routeId: route, plannedLoadKg: kg(plannedLoadKg) });
const release = (route: Identifier) => command('ReleaseVehicleFromRoute', { vehicleId, routeId: route });
const changeCapacity = (to: number) => command('ChangeVehicleCapacity', { vehicleId, capacityKg: kg(to) });
const retire = command('RetireVehicle', { vehicleId, reason: text('end of lease') });
const everyCommand = [register, goOnDuty, goOffDuty, assign(routeId, 100), release(routeId), changeCapacity(900), retire];

/** The refusal itself, for the rules whose detail matters to the caller (the numbers, the current route). */
const refusalOf = (history: readonly VehicleEvent[], cmd: VehicleCommand) => {
  const decided = vehicleDecider.decide(cmd, fold(vehicleDecider, history));
  return E.isLeft(decided) ? decided.left : undefined;
};

// RegisterVehicle
test(
  'registers a vehicle at its depot',
  given([])
    .when(register)
    .then([{ type: 'VehicleRegistered', data: { vehicleId, depotId, capacityKg, plate, registeredAt: nowIso } }]),
);
test(
  'registers a vehicle without a plate',
  given([])
    .when(command('RegisterVehicle', { vehicleId, depotId, capacityKg }))
    .then([{ type: 'VehicleRegistered', data: { vehicleId, depotId, capacityKg, registeredAt: nowIso } }]),
);
test('refuses to register a vehicle twice', given([registered, onDuty]).when(register).thenRejects('VehicleAlreadyRegistered'));
for (const cmd of everyCommand.filter((c) => c.type !== 'RegisterVehicle'))
  test(`refuses ${cmd.type} on a vehicle never registered`, given([]).when(cmd).thenRejects('VehicleNotFound'));

// GoOnDuty
test(
  'puts a registered vehicle on duty with its driver',
  given([registered])
    .when(goOnDuty)
    .then([onDutyNow(driverId)]),
);
test(
  'puts a vehicle back on duty with another driver',
  given([registered, onDuty, offDuty])
    .when(command('GoOnDuty', { vehicleId, driverId: otherDriver }))
    .then([onDutyNow(otherDriver)]),
);
test(
  'refuses to go on duty twice',
  given([registered, onDuty])
    .when(command('GoOnDuty', { vehicleId, driverId: otherDriver }))
    .thenRejects('VehicleAlreadyOnDuty'),
);
test('refuses to go on duty while on a route', given(onRoute).when(goOnDuty).thenRejects('VehicleAlreadyOnDuty'));

// GoOffDuty
test(
  'takes a vehicle on duty off duty',
  given([registered, onDuty])
    .when(goOffDuty)
    .then([{ type: 'VehicleWentOffDuty', data: { vehicleId, depotId, driverId, at: nowIso } }]),
);
test(
  'takes a vehicle off duty once released from its route',
  given([...onRoute, released])
    .when(goOffDuty)
    .then([{ type: 'VehicleWentOffDuty', data: { vehicleId, depotId, driverId, at: nowIso } }]),
);
test('refuses to go off duty while on a route', given(onRoute).when(goOffDuty).thenRejects('VehicleOnRoute'));
test('refuses to go off duty when off duty already', given([registered]).when(goOffDuty).thenRejects('VehicleNotOnDuty'));

// AssignVehicleToRoute
test(
  'assigns a vehicle on duty to a route',
  given([registered, onDuty])
    .when(assign(routeId, 600))
    .then([assignedNow(routeId, kg(600))]),
);
test(
  'accepts a planned load equal to the capacity',
  given([registered, onDuty])
    .when(assign(routeId, 800))
    .then([assignedNow(routeId, kg(800))]),
);
test('refuses a planned load above the capacity', given([registered, onDuty]).when(assign(routeId, 800.5)).thenRejects('CapacityExceeded'));
test('a refused overload names both numbers', (t) => {
  t.deepEqual(refusalOf([registered, onDuty], assign(routeId, 900))?.detail, { plannedLoadKg: 900, capacityKg: 800 });
});
test('refuses to assign a vehicle off duty', given([registered]).when(assign(routeId, 100)).thenRejects('VehicleNotOnDuty'));
test(
  'refuses to assign a vehicle on a route to another route',
  given(onRoute).when(assign(otherRoute, 100)).thenRejects('VehicleAlreadyAssigned'),
);
test('a refused double assignment names the current route', (t) => {
  t.like(refusalOf(onRoute, assign(otherRoute, 100))?.detail, { routeId });
});
test('assigning to the same route with the same load again changes nothing', given(onRoute).when(assign(routeId, 600)).then([]));
test(
  'refuses to change the load of the current route by assigning again',
  given(onRoute).when(assign(routeId, 700)).thenRejects('VehicleAlreadyAssigned'),
);
test(
  'assigns a released vehicle to another route',
  given([...onRoute, released])
    .when(assign(otherRoute, 300))
    .then([assignedNow(otherRoute, kg(300))]),
);
test(
  'a load too heavy before is accepted once the capacity is raised',
  given([registered, onDuty, capacityChanged(kg(1200))])
    .when(assign(routeId, 1000))
    .then([assignedNow(routeId, kg(1000), kg(1200))]),
);

// ReleaseVehicleFromRoute
test(
  'releases a vehicle from its route, back on duty',
  given(onRoute)
    .when(release(routeId))
    .then([{ type: 'VehicleReleasedFromRoute', data: { vehicleId, depotId, routeId, driverId, at: nowIso } }]),
);
test(
  'a released vehicle is on duty with the same driver',
  given(onRoute)
    .when(release(routeId))
    .thenEvents((t, _events, state) => t.like(state, { status: 'OnDuty', driverId })),
);
test('refuses to release a vehicle from a route it is not on', given(onRoute).when(release(otherRoute)).thenRejects('VehicleNotOnRoute'));
test('refuses to release a vehicle on no route', given([registered, onDuty]).when(release(routeId)).thenRejects('VehicleNotOnRoute'));
test(
  'refuses to release a vehicle twice',
  given([...onRoute, released])
    .when(release(routeId))
    .thenRejects('VehicleNotOnRoute'),
);

// ChangeVehicleCapacity
test(
  'changes the capacity of a vehicle off duty',
  given([registered])
    .when(changeCapacity(1000))
    .then([capacityChanged(kg(1000))]),
);
test(
  'lowers the capacity on a route down to the planned load',
  given(onRoute)
    .when(changeCapacity(600))
    .then([capacityChanged(kg(600))]),
);
test(
  'refuses to lower the capacity on a route below the planned load',
  given(onRoute).when(changeCapacity(599)).thenRejects('CapacityExceeded'),
);
test('a refused capacity change names both numbers', (t) => {
  t.deepEqual(refusalOf(onRoute, changeCapacity(500))?.detail, { plannedLoadKg: 600, capacityKg: 500 });
});
test('changing the capacity to what it is changes nothing', given([registered, onDuty]).when(changeCapacity(800)).then([]));
test(
  'a second change reports the capacity it replaced',
  given([registered, capacityChanged(kg(1000))])
    .when(changeCapacity(900))
    .then([capacityChanged(kg(900), kg(1000))]),
);

// RetireVehicle
test(
  'retires a vehicle off duty',
  given([registered, onDuty, offDuty])
    .when(retire)
    .then([{ type: 'VehicleRetired', data: { vehicleId, depotId, reason: text('end of lease'), at: nowIso } }]),
);
test('refuses to retire a vehicle on duty', given([registered, onDuty]).when(retire).thenRejects('VehicleInService'));
test('refuses to retire a vehicle on a route', given(onRoute).when(retire).thenRejects('VehicleInService'));
for (const cmd of everyCommand)
  test(`a retired vehicle refuses ${cmd.type}`, given([registered, retired]).when(cmd).thenRejects('VehicleRetired'));

// evolve
test('facts that do not fit the state leave it unchanged', (t) => {
  const state = fold(vehicleDecider, onRoute);
  t.is(
    vehicleDecider.evolve(state, {
      type: 'VehicleReleasedFromRoute',
      data: { vehicleId, depotId, routeId: otherRoute, driverId, at: nowIso },
    }),
    state,
  );
  t.is(vehicleDecider.evolve(state, onDuty), state);
  t.is(vehicleDecider.evolve(vehicleDecider.initialState, onDuty), vehicleDecider.initialState);
  const retiredState = fold(vehicleDecider, [registered, retired]);
  t.is(vehicleDecider.evolve(retiredState, capacityChanged(kg(50))), retiredState);
});
