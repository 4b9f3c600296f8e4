// Reservations and route offers, given-when-then: what the dispatch saga and the driver may do, and what a
// repeat of each does (nothing), since the saga's commands may be redelivered.
import { fold, type Identifier, type IsoDateTime, type Kilograms, type NonEmptyString } from '@meridian/kernel';
import { givenFor } from '@meridian/kernel/testing';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import type { VehicleCommand } from './commands.ts';
import { vehicleDecider } from './decider.ts';
import type { VehicleEvent } from './events.ts';
import type { VehicleId } from './values.ts';

const given = givenFor(vehicleDecider);

const vehicleId = 'v-1' as VehicleId;
const depotId = 'depot-ams' as Identifier;
const driverId = 'd-1' as Identifier;
const otherDriver = 'd-2' as Identifier;
const windowId = 'w-1' as Identifier;
const otherWindow = 'w-2' as Identifier;
const routeId = 'w-1.r1' as Identifier;
const otherRoute = 'w-1.r2' as Identifier;
const kg = (n: number) => n as Kilograms;
const at = (iso: string) => iso as IsoDateTime;
const text = (s: string) => s as NonEmptyString;
const now = new Date('2026-11-21T06:10:00Z');
const nowIso = at(now.toISOString());
const expiresAt = at('2026-11-21T06:20:00.000Z');
const capacityKg = kg(800);

const command = <C extends VehicleCommand>(type: C['type'], data: C['data'], when = now): VehicleCommand =>
  ({ type, data, metadata: { now: when } }) as VehicleCommand;

const held = { vehicleId, depotId, windowId, driverId };
const registered: VehicleEvent = {
  type: 'VehicleRegistered',
  data: { vehicleId, depotId, capacityKg, registeredAt: at('2026-11-21T05:00:00Z') },
};
const onDuty: VehicleEvent = {
  type: 'VehicleWentOnDuty',
  data: { vehicleId, depotId, driverId, capacityKg, at: at('2026-11-21T05:30:00Z') },
};
const reservedEvent = (when = at('2026-11-21T06:00:00Z')): VehicleEvent => ({
  type: 'VehicleReserved',
  data: { ...held, capacityKg, at: when },
});
const offeredEvent = (route = routeId, load = kg(600), when = at('2026-11-21T06:05:00Z')): VehicleEvent => ({
  type: 'VehicleRouteOffered',
  data: { ...held, routeId: route, plannedLoadKg: load, expiresAt, at: when },
});
const acceptedEvent = (when = at('2026-11-21T06:07:00Z')): VehicleEvent => ({
  type: 'VehicleRouteOfferAccepted',
  data: { ...held, routeId, plannedLoadKg: kg(600), at: when },
});
const declinedEvent: VehicleEvent = { type: 'VehicleRouteOfferDeclined', data: { ...held, routeId, at: at('2026-11-21T06:07:00Z') } };
const assignedEvent: VehicleEvent = {
  type: 'VehicleAssignedToRoute',
  data: { vehicleId, depotId, routeId, driverId, plannedLoadKg: kg(600), capacityKg, at: at('2026-11-21T06:08:00Z') },
};

const ready = [registered, onDuty];
const reserved = [...ready, reservedEvent()];
const offered = [...reserved, offeredEvent()];
const accepted = [...offered, acceptedEvent()];

const reserveFor = (window: Identifier, depot = depotId) => command('ReserveVehicle', { vehicleId, windowId: window, depotId: depot });
const offer = (route = routeId, load = 600) =>
  command('OfferRouteToVehicle', { vehicleId, windowId, routeId: route, plannedLoadKg: kg(load), expiresAt });
const acceptBy = (driver: Identifier, when = now, route = routeId) =>
  command('AcceptRouteOffer', { vehicleId, routeId: route, driverId: driver }, when);
const declineBy = (driver: Identifier, reason?: string) =>
  command('DeclineRouteOffer', { vehicleId, routeId, driverId: driver, ...(reason !== undefined && { reason: text(reason) }) });
const withdraw = command('WithdrawRouteOffer', { vehicleId, windowId, routeId, reason: text('no answer by the deadline') });
const release = (window = windowId) => command('ReleaseVehicleReservation', { vehicleId, windowId: window });
const assign = (route: Identifier, load: number) => command('AssignVehicleToRoute', { vehicleId, routeId: route, plannedLoadKg: kg(load) });

const refusalOf = (history: readonly VehicleEvent[], cmd: VehicleCommand) => {
  const decided = vehicleDecider.decide(cmd, fold(vehicleDecider, history));
  return E.isLeft(decided) ? decided.left : undefined;
};

// ReserveVehicle
test(
  'reserves a vehicle on duty for a window, with its driver and capacity',
  given(ready)
    .when(reserveFor(windowId))
    .then([reservedEvent(nowIso)]),
);
test('reserving for the same window again changes nothing', given(reserved).when(reserveFor(windowId)).then([]));
test('refuses a second window while reserved', given(reserved).when(reserveFor(otherWindow)).thenRejects('VehicleAlreadyReserved'));
test('a refused reservation names the window holding the vehicle', (t) => {
  t.deepEqual(refusalOf(reserved, reserveFor(otherWindow))?.detail, { windowId });
});
test('refuses to reserve a vehicle off duty', given([registered]).when(reserveFor(windowId)).thenRejects('VehicleNotOnDuty'));
test(
  'refuses to reserve a vehicle on a route',
  given([...ready, assignedEvent])
    .when(reserveFor(windowId))
    .thenRejects('VehicleOnRoute'),
);
test(
  "refuses to reserve a vehicle for another depot's window",
  given(ready)
    .when(reserveFor(windowId, 'depot-rtm' as Identifier))
    .thenRejects('VehicleInAnotherDepot'),
);
test('refuses to reserve a vehicle never registered', given([]).when(reserveFor(windowId)).thenRejects('VehicleNotFound'));

// A reserved vehicle is held: its driver cannot leave, nobody else can assign it.
test('refuses to go off duty while reserved', given(reserved).when(command('GoOffDuty', { vehicleId })).thenRejects('VehicleReserved'));
test(
  'refuses to assign a reserved vehicle to a route it was not offered',
  given(offered).when(assign(otherRoute, 100)).thenRejects('VehicleReserved'),
);
test(
  'refuses to assign a reserved vehicle to an offered route not yet accepted',
  given(offered).when(assign(routeId, 600)).thenRejects('VehicleReserved'),
);
test(
  'assigns a reserved vehicle to the route its driver accepted, which ends the reservation',
  given(accepted)
    .when(assign(routeId, 600))
    .thenEvents((t, events, state) => {
      t.deepEqual(
        events.map((e) => e.type),
        ['VehicleAssignedToRoute'],
      );
      t.like(state, { status: 'OnRoute', routeId, plannedLoadKg: 600 });
      t.false('reservation' in state);
    }),
);
test('refuses the accepted route with another load', given(accepted).when(assign(routeId, 500)).thenRejects('VehicleReserved'));

// OfferRouteToVehicle
test(
  'offers a route to a reserved vehicle, until a deadline',
  given(reserved)
    .when(offer())
    .then([offeredEvent(routeId, kg(600), nowIso)]),
);
test('offering the same route again changes nothing', given(offered).when(offer()).then([]));
test('refuses a second route while one is offered', given(offered).when(offer(otherRoute, 100)).thenRejects('RouteOfferPending'));
test('refuses another route once one is accepted', given(accepted).when(offer(otherRoute, 100)).thenRejects('RouteOfferPending'));
test('refuses an offer above the capacity', given(reserved).when(offer(routeId, 801)).thenRejects('CapacityExceeded'));
test('refuses an offer to a vehicle not reserved', given(ready).when(offer()).thenRejects('VehicleNotReserved'));
test(
  'refuses an offer for another window',
  given(reserved)
    .when(command('OfferRouteToVehicle', { vehicleId, windowId: otherWindow, routeId, plannedLoadKg: kg(10), expiresAt }))
    .thenRejects('VehicleNotReserved'),
);
test(
  'offers another route once the first was declined',
  given([...offered, declinedEvent])
    .when(offer(otherRoute, 100))
    .then([offeredEvent(otherRoute, kg(100), nowIso)]),
);
test(
  'refuses to lower the capacity below the offered load',
  given(offered)
    .when(command('ChangeVehicleCapacity', { vehicleId, capacityKg: kg(500) }))
    .thenRejects('CapacityExceeded'),
);

// AcceptRouteOffer
test(
  'its driver accepts the offer',
  given(offered)
    .when(acceptBy(driverId))
    .then([acceptedEvent(nowIso)]),
);
test('accepting again changes nothing', given(accepted).when(acceptBy(driverId)).then([]));
test(
  'accepting again once assigned changes nothing',
  given([...accepted, assignedEvent])
    .when(acceptBy(driverId))
    .then([]),
);
test('refuses an acceptance by another driver', given(offered).when(acceptBy(otherDriver)).thenRejects('NotTheVehicleDriver'));
test(
  'refuses an acceptance at the deadline',
  given(offered)
    .when(acceptBy(driverId, new Date(expiresAt)))
    .thenRejects('RouteOfferExpired'),
);
test(
  'refuses an acceptance of a route not offered',
  given(offered)
    .when(acceptBy(driverId, now, otherRoute))
    .thenRejects('NoRouteOffer'),
);
test(
  'refuses an acceptance after a decline',
  given([...offered, declinedEvent])
    .when(acceptBy(driverId))
    .thenRejects('NoRouteOffer'),
);
test(
  'refuses an acceptance once withdrawn',
  given([...offered, { type: 'VehicleRouteOfferWithdrawn', data: { ...held, routeId, reason: text('late'), at: nowIso } }])
    .when(acceptBy(driverId))
    .thenRejects('NoRouteOffer'),
);
test('refuses an acceptance with no reservation', given(ready).when(acceptBy(driverId)).thenRejects('NoRouteOffer'));

// DeclineRouteOffer
test(
  'its driver declines the offer, with a reason',
  given(offered)
    .when(declineBy(driverId, 'van too small'))
    .then([{ type: 'VehicleRouteOfferDeclined', data: { ...held, routeId, at: nowIso, reason: text('van too small') } }]),
);
test(
  'a decline keeps the reservation, with no offer',
  given(offered)
    .when(declineBy(driverId))
    .thenEvents((t, _events, state) => t.like(state, { status: 'OnDuty', reservation: { windowId } })),
);
test('refuses a decline by another driver', given(offered).when(declineBy(otherDriver)).thenRejects('NotTheVehicleDriver'));
test('refuses a decline of an accepted offer', given(accepted).when(declineBy(driverId)).thenRejects('RouteOfferAlreadyAccepted'));
test(
  'refuses a decline once assigned',
  given([...accepted, assignedEvent])
    .when(declineBy(driverId))
    .thenRejects('RouteOfferAlreadyAccepted'),
);
test(
  'refuses a second decline',
  given([...offered, declinedEvent])
    .when(declineBy(driverId))
    .thenRejects('NoRouteOffer'),
);

// WithdrawRouteOffer
test(
  'withdraws a pending offer',
  given(offered)
    .when(withdraw)
    .then([{ type: 'VehicleRouteOfferWithdrawn', data: { ...held, routeId, reason: text('no answer by the deadline'), at: nowIso } }]),
);
test(
  'refuses to withdraw an accepted offer: the driver was first',
  given(accepted).when(withdraw).thenRejects('RouteOfferAlreadyAccepted'),
);
test(
  'refuses to withdraw once assigned to the route',
  given([...accepted, assignedEvent])
    .when(withdraw)
    .thenRejects('RouteOfferAlreadyAccepted'),
);
test(
  'withdrawing a declined offer changes nothing',
  given([...offered, declinedEvent])
    .when(withdraw)
    .then([]),
);
test('withdrawing with no reservation changes nothing', given(ready).when(withdraw).then([]));

// ReleaseVehicleReservation
test(
  'releases a reservation',
  given(reserved)
    .when(release())
    .then([{ type: 'VehicleReservationReleased', data: { ...held, at: nowIso } }]),
);
test(
  'releases a reservation with an offer pending, which ends the offer',
  given(offered)
    .when(release())
    .thenEvents((t, _events, state) => {
      t.deepEqual(state, { status: 'OnDuty', vehicle: { vehicleId, depotId, capacityKg }, driverId });
    }),
);
test('refuses to release a reservation of another window', given(reserved).when(release(otherWindow)).thenRejects('VehicleNotReserved'));
test(
  'refuses to release twice',
  given([...reserved, { type: 'VehicleReservationReleased', data: { ...held, at: nowIso } }])
    .when(release())
    .thenRejects('VehicleNotReserved'),
);
test(
  'refuses to release a vehicle assigned to its route since',
  given([...accepted, assignedEvent])
    .when(release())
    .thenRejects('VehicleNotReserved'),
);
test('a released vehicle can go off duty and be reserved again', (t) => {
  const history = [...reserved, { type: 'VehicleReservationReleased', data: { ...held, at: nowIso } } satisfies VehicleEvent];
  t.true(E.isRight(vehicleDecider.decide(command('GoOffDuty', { vehicleId }), fold(vehicleDecider, history))));
  t.true(E.isRight(vehicleDecider.decide(reserveFor(otherWindow), fold(vehicleDecider, history))));
});

// evolve: reservation facts that do not fit leave the state as it is.
test('reservation facts of another window change nothing', (t) => {
  const state = fold(vehicleDecider, reserved);
  const other = { ...held, windowId: otherWindow };
  t.is(
    vehicleDecider.evolve(state, { type: 'VehicleRouteOffered', data: { ...other, routeId, plannedLoadKg: kg(1), expiresAt, at: nowIso } }),
    state,
  );
  t.is(vehicleDecider.evolve(state, { type: 'VehicleReservationReleased', data: { ...other, at: nowIso } }), state);
  t.is(vehicleDecider.evolve(state, reservedEvent()), state);
});
