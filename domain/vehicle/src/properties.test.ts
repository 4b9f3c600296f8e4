// Properties over any history: random command sequences, each decoded through the real codecs first.
import { canonicalJson, fold } from '@meridian/kernel';
import test from 'ava';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { vehicleCommands, type VehicleCommand } from './commands.ts';
import { vehicleDecider } from './decider.ts';
import { vehicleEvents, type VehicleEvent } from './events.ts';
import type { VehicleState } from './state.ts';

const start = Date.parse('2026-11-21T06:00:00Z');
const vehicleId = 'v-1';
const routes = fc.constantFrom('r-1', 'r-2', 'r-3');
// A few fixed masses make loads equal to, just under and just over capacities likely; doubles cover the rest.
const mass = fc.oneof(fc.constantFrom(100, 500, 800, 1000, 1500), fc.double({ min: 0.01, max: 2000, noNaN: true }));

const theVehicle = fc.constant(vehicleId);
// Skewed towards one window, one driver and one depot, so reservations, offers and answers meet often.
const windows = fc.constantFrom('w-1', 'w-1', 'w-1', 'w-2');
const drivers = fc.constantFrom('d-1', 'd-1', 'd-1', 'd-2');
const depots = fc.constantFrom('depot-ams', 'depot-ams', 'depot-ams', 'depot-rtm');
// Deadlines around the histories' clock (which starts at 06:00 and moves up to 30 minutes a step).
const deadline = fc.integer({ min: 0, max: 1440 }).map((minute) => new Date(start + minute * 60_000).toISOString());

const rawRegistration = fc.record({
  type: fc.constant('RegisterVehicle'),
  data: fc.record(
    { vehicleId: theVehicle, depotId: depots, capacityKg: mass, plate: fc.constant('NL-12-AB') },
    { requiredKeys: ['vehicleId', 'depotId', 'capacityKg'] },
  ),
});

const raw = <T extends string, D>(type: T, data: fc.Arbitrary<D>) => fc.record({ type: fc.constant(type), data });

/**
 * Raw command bodies, as a client would send them, for every vehicle command. Weighted so that histories
 * often reach a vehicle on a route (the interesting states) before a retirement ends them.
 */
const rawCommand = fc.oneof(
  { weight: 1, arbitrary: rawRegistration },
  { weight: 3, arbitrary: raw('GoOnDuty', fc.record({ vehicleId: theVehicle, driverId: drivers })) },
  { weight: 1, arbitrary: raw('GoOffDuty', fc.record({ vehicleId: theVehicle })) },
  { weight: 3, arbitrary: raw('AssignVehicleToRoute', fc.record({ vehicleId: theVehicle, routeId: routes, plannedLoadKg: mass })) },
  { weight: 2, arbitrary: raw('ReleaseVehicleFromRoute', fc.record({ vehicleId: theVehicle, routeId: routes })) },
  { weight: 2, arbitrary: raw('ChangeVehicleCapacity', fc.record({ vehicleId: theVehicle, capacityKg: mass })) },
  { weight: 1, arbitrary: raw('RetireVehicle', fc.record({ vehicleId: theVehicle, reason: fc.constant('sold') })) },
  {
    weight: 3,
    arbitrary: raw('ReserveVehicle', fc.record({ vehicleId: theVehicle, windowId: windows, depotId: depots })),
  },
  {
    weight: 3,
    arbitrary: raw(
      'OfferRouteToVehicle',
      fc.record({ vehicleId: theVehicle, windowId: windows, routeId: routes, plannedLoadKg: mass, expiresAt: deadline }),
    ),
  },
  { weight: 3, arbitrary: raw('AcceptRouteOffer', fc.record({ vehicleId: theVehicle, routeId: routes, driverId: drivers })) },
  { weight: 2, arbitrary: raw('DeclineRouteOffer', fc.record({ vehicleId: theVehicle, routeId: routes, driverId: drivers })) },
  {
    weight: 1,
    arbitrary: raw(
      'WithdrawRouteOffer',
      fc.record({ vehicleId: theVehicle, windowId: windows, routeId: routes, reason: fc.constant('late') }),
    ),
  },
  { weight: 2, arbitrary: raw('ReleaseVehicleReservation', fc.record({ vehicleId: theVehicle, windowId: windows })) },
  ...(['RecordGeofenceEntered', 'RecordGeofenceLeft'] as const).map((type) => ({
    weight: 2,
    arbitrary: raw(
      type,
      fc.oneof(
        fc.record({
          vehicleId: theVehicle,
          fenceId: fc.constantFrom('depot:depot-ams'),
          fenceKind: fc.constant('depot'),
          distanceM: fc.nat(500),
          recordedAt: deadline,
        }),
        routes.chain((routeId) =>
          fc.record({
            vehicleId: theVehicle,
            fenceId: fc.constant(`stop:${routeId}:s-1`),
            fenceKind: fc.constant('stop'),
            distanceM: fc.nat(500),
            recordedAt: deadline,
            routeId: fc.constant(routeId),
            stopId: fc.constant('s-1'),
          }),
        ),
      ),
    ),
  })),
  ...(['RecordIdleStarted', 'RecordIdleEnded'] as const).map((type) => ({
    weight: 2,
    arbitrary: raw(type, fc.record({ vehicleId: theVehicle, routeId: routes, since: deadline, recordedAt: deadline })),
  })),
);

/** Decodes a raw body with the command's own codec, as the HTTP edge does, and stamps the clock. */
const decoded = (raw: { type: string; data: unknown }, minute: number): VehicleCommand => {
  const codec = vehicleCommands[raw.type as keyof typeof vehicleCommands];
  const data = codec.decode(raw.data);
  if (E.isLeft(data)) throw new Error(`arbitrary produced an invalid ${raw.type}`);
  return { type: raw.type, data: data.right, metadata: { now: new Date(start + minute * 60_000) } } as VehicleCommand;
};

const step = <A>(arbitrary: fc.Arbitrary<A>) => fc.tuple(arbitrary, fc.integer({ min: 0, max: 30 }));
// Most histories start with a registration, so the rest of the sequence has a vehicle to act on; a few do
// not, so commands on a vehicle never registered are exercised too.
const opening = fc.oneof({ weight: 9, arbitrary: step(rawRegistration).map((s) => [s]) }, { weight: 1, arbitrary: fc.constant([]) });
const history = fc
  .tuple(opening, fc.array(step(rawCommand), { maxLength: 40, size: 'medium' }))
  .map(([first, rest]) => [...first, ...rest]);

/**
 * A dispatch window's view of one vehicle: registered and on duty, then mostly reservations, offers and
 * answers over two routes, with loads around the capacity and deadlines around the clock, so that offers are
 * accepted, declined, withdrawn and expired often; the other commands interleave.
 */
const offeredRoutes = fc.constantFrom('r-1', 'r-1', 'r-2');
const load = fc.constantFrom(100, 500, 800, 900);
const soon = fc.integer({ min: 0, max: 120 }).map((minute) => new Date(start + minute * 60_000).toISOString());
const dispatchCommand = fc.oneof(
  {
    weight: 3,
    arbitrary: raw('ReserveVehicle', fc.record({ vehicleId: theVehicle, windowId: windows, depotId: fc.constant('depot-ams') })),
  },
  {
    weight: 4,
    arbitrary: raw(
      'OfferRouteToVehicle',
      fc.record({ vehicleId: theVehicle, windowId: windows, routeId: offeredRoutes, plannedLoadKg: load, expiresAt: soon }),
    ),
  },
  { weight: 4, arbitrary: raw('AcceptRouteOffer', fc.record({ vehicleId: theVehicle, routeId: offeredRoutes, driverId: drivers })) },
  { weight: 2, arbitrary: raw('DeclineRouteOffer', fc.record({ vehicleId: theVehicle, routeId: offeredRoutes, driverId: drivers })) },
  {
    weight: 1,
    arbitrary: raw(
      'WithdrawRouteOffer',
      fc.record({ vehicleId: theVehicle, windowId: windows, routeId: offeredRoutes, reason: fc.constant('late') }),
    ),
  },
  { weight: 2, arbitrary: raw('ReleaseVehicleReservation', fc.record({ vehicleId: theVehicle, windowId: windows })) },
  { weight: 2, arbitrary: raw('AssignVehicleToRoute', fc.record({ vehicleId: theVehicle, routeId: offeredRoutes, plannedLoadKg: load })) },
  { weight: 1, arbitrary: raw('ReleaseVehicleFromRoute', fc.record({ vehicleId: theVehicle, routeId: offeredRoutes })) },
  { weight: 1, arbitrary: raw('ChangeVehicleCapacity', fc.record({ vehicleId: theVehicle, capacityKg: load })) },
  { weight: 1, arbitrary: raw('GoOffDuty', fc.record({ vehicleId: theVehicle })) },
  { weight: 1, arbitrary: raw('GoOnDuty', fc.record({ vehicleId: theVehicle, driverId: drivers })) },
);
const onDutyAtTheDepot = [
  [{ type: 'RegisterVehicle', data: { vehicleId, depotId: 'depot-ams', capacityKg: 800 } }, 0],
  [{ type: 'GoOnDuty', data: { vehicleId, driverId: 'd-1' } }, 0],
] as const;
const dispatchHistory = fc
  .array(fc.tuple(dispatchCommand, fc.integer({ min: 0, max: 5 })), { maxLength: 40, size: 'medium' })
  .map((rest) => [...onDutyAtTheDepot, ...rest]);

type Step = { readonly events: readonly VehicleEvent[]; readonly before: VehicleState; readonly after: VehicleState };

/** Runs a history through decide and evolve, as the command handler would, keeping every accepted step. */
const run = (steps: readonly (readonly [{ type: string; data: unknown }, number])[]): Step[] => {
  let state = vehicleDecider.initialState;
  let minute = 0;
  const accepted: Step[] = [];
  for (const [body, elapsed] of steps) {
    minute += elapsed;
    const decision = vehicleDecider.decide(decoded(body, minute), state);
    if (E.isLeft(decision)) continue;
    const after = fold(vehicleDecider, decision.right, state);
    accepted.push({ events: decision.right, before: state, after });
    state = after;
  }
  return accepted;
};

test('decide never throws, and folding any sequence of accepted events never throws', (t) => {
  fc.assert(
    fc.property(fc.oneof(history, dispatchHistory), (steps) => void run(steps)),
    { numRuns: 500 },
  );
  t.pass('500 random histories decided and folded without throwing');
});

test('every accepted event survives the round trip through its wire codec', (t) => {
  fc.assert(
    fc.property(fc.oneof(history, dispatchHistory), (steps) => {
      const accepted = run(steps).flatMap((step) => step.events);
      const roundTripped = accepted.map((event) => vehicleEvents.decode(JSON.parse(JSON.stringify(vehicleEvents.encode(event)))));
      return roundTripped.every((result, i) => E.isRight(result) && canonicalJson(result.right) === canonicalJson(accepted[i]));
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a vehicle is never on two routes at once', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
      // Read from the facts alone, as the fleet read model would: assignments and releases must alternate.
      let current: string | undefined;
      for (const event of run(steps).flatMap((step) => step.events)) {
        if (event.type === 'VehicleAssignedToRoute') {
          if (current !== undefined) throw new Error(`assigned to ${event.data.routeId} while on ${current}`);
          current = event.data.routeId;
        }
        if (event.type === 'VehicleReleasedFromRoute') {
          if (current !== event.data.routeId) throw new Error(`released from ${event.data.routeId} while on ${current}`);
          current = undefined;
        }
      }
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('the planned load never exceeds the capacity in any reachable state', (t) => {
  let statesOnRoute = 0;
  let statesOffered = 0;
  fc.assert(
    fc.property(fc.oneof(history, dispatchHistory), (steps) => {
      for (const { after } of run(steps)) {
        const offered = after.status === 'OnDuty' ? after.reservation?.offer?.plannedLoadKg : undefined;
        if (offered !== undefined) statesOffered += 1;
        const load = after.status === 'OnRoute' ? after.plannedLoadKg : offered;
        if (after.status === 'OnRoute') statesOnRoute += 1;
        if (load !== undefined && after.status !== 'Unregistered' && load > after.vehicle.capacityKg)
          throw new Error(`planned ${load} kg on a capacity of ${after.vehicle.capacityKg} kg`);
      }
    }),
    { numRuns: 500 },
  );
  // Guards against a vacuous property: the random histories must actually reach vehicles on routes, and offers.
  t.true(statesOnRoute > 100, `only ${statesOnRoute} states on a route were reached`);
  t.true(statesOffered > 100, `only ${statesOffered} states with an offer were reached`);
});

test('a vehicle is never held by two windows at once, and a reservation ends by release or assignment', (t) => {
  fc.assert(
    fc.property(fc.oneof(history, dispatchHistory), (steps) => {
      // Read from the facts alone: reservations and their ends must alternate.
      let holder: string | undefined;
      for (const event of run(steps).flatMap((step) => step.events)) {
        if (event.type === 'VehicleReserved') {
          if (holder !== undefined) throw new Error(`reserved for ${event.data.windowId} while held by ${holder}`);
          holder = event.data.windowId;
        }
        if (event.type === 'VehicleReservationReleased') {
          if (holder !== event.data.windowId) throw new Error(`released from ${event.data.windowId} while held by ${holder}`);
          holder = undefined;
        }
        if (event.type === 'VehicleAssignedToRoute') holder = undefined;
      }
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test("an offer is accepted only by the vehicle's driver, before its deadline, once", (t) => {
  let acceptances = 0;
  fc.assert(
    fc.property(dispatchHistory, (steps) => {
      for (const { events, before } of run(steps))
        for (const event of events) {
          if (event.type !== 'VehicleRouteOfferAccepted') continue;
          acceptances += 1;
          if (before.status !== 'OnDuty' || before.reservation?.offer === undefined) throw new Error('accepted with no offer');
          const { offer } = before.reservation;
          if (offer.accepted) throw new Error('accepted twice');
          if (event.data.driverId !== before.driverId) throw new Error(`accepted by ${event.data.driverId}, not ${before.driverId}`);
          if (Date.parse(event.data.at) >= Date.parse(offer.expiresAt))
            throw new Error(`accepted at ${event.data.at}, after ${offer.expiresAt}`);
        }
    }),
    { numRuns: 500 },
  );
  t.true(acceptances > 10, `only ${acceptances} acceptances were reached`);
});

test('a retired vehicle stays retired and every later command is refused', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
      const accepted = run(steps);
      const retiredAt = accepted.findIndex((step) => step.after.status === 'Retired');
      return retiredAt < 0 || retiredAt === accepted.length - 1;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('presence facts alternate per fence and for idling, and a stop fence or idling is only of the current route', (t) => {
  let entered = 0;
  fc.assert(
    fc.property(history, (steps) => {
      const inside = new Set<string>();
      let idle = false;
      let route: string | undefined;
      for (const event of run(steps).flatMap((step) => step.events)) {
        switch (event.type) {
          case 'VehicleAssignedToRoute':
            route = event.data.routeId;
            break;
          case 'VehicleReleasedFromRoute':
            // The route's stop fences and idling end with it, without a fact.
            for (const fenceId of [...inside]) if (fenceId.startsWith(`stop:${event.data.routeId}:`)) inside.delete(fenceId);
            idle = false;
            route = undefined;
            break;
          case 'VehicleGeofenceEntered':
            entered += 1;
            if (inside.has(event.data.fenceId)) throw new Error(`entered ${event.data.fenceId} twice`);
            if (event.data.routeId !== undefined && event.data.routeId !== route)
              throw new Error(`a stop of ${event.data.routeId} on ${route}`);
            inside.add(event.data.fenceId);
            break;
          case 'VehicleGeofenceLeft':
            if (!inside.delete(event.data.fenceId)) throw new Error(`left ${event.data.fenceId} without entering it`);
            break;
          case 'VehicleIdleStarted':
            if (idle || event.data.routeId !== route) throw new Error('idle twice, or off its route');
            idle = true;
            break;
          case 'VehicleIdleEnded':
            if (!idle) throw new Error('moving again without idling');
            idle = false;
            break;
          default:
            break;
        }
      }
    }),
    { numRuns: 500 },
  );
  t.true(entered > 0, 'the histories reach presence facts');
});
