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

const rawRegistration = fc.record({
  type: fc.constant('RegisterVehicle'),
  data: fc.record(
    { vehicleId: theVehicle, depotId: fc.constantFrom('depot-ams', 'depot-rtm'), capacityKg: mass, plate: fc.constant('NL-12-AB') },
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
  { weight: 3, arbitrary: raw('GoOnDuty', fc.record({ vehicleId: theVehicle, driverId: fc.constantFrom('d-1', 'd-2') })) },
  { weight: 1, arbitrary: raw('GoOffDuty', fc.record({ vehicleId: theVehicle })) },
  { weight: 3, arbitrary: raw('AssignVehicleToRoute', fc.record({ vehicleId: theVehicle, routeId: routes, plannedLoadKg: mass })) },
  { weight: 2, arbitrary: raw('ReleaseVehicleFromRoute', fc.record({ vehicleId: theVehicle, routeId: routes })) },
  { weight: 2, arbitrary: raw('ChangeVehicleCapacity', fc.record({ vehicleId: theVehicle, capacityKg: mass })) },
  { weight: 1, arbitrary: raw('RetireVehicle', fc.record({ vehicleId: theVehicle, reason: fc.constant('sold') })) },
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

type Step = { readonly events: readonly VehicleEvent[]; readonly after: VehicleState };

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
    accepted.push({ events: decision.right, after });
    state = after;
  }
  return accepted;
};

test('decide never throws, and folding any sequence of accepted events never throws', (t) => {
  fc.assert(
    fc.property(history, (steps) => void run(steps)),
    { numRuns: 500 },
  );
  t.pass('500 random histories decided and folded without throwing');
});

test('every accepted event survives the round trip through its wire codec', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
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
  fc.assert(
    fc.property(history, (steps) => {
      for (const { after } of run(steps)) {
        if (after.status !== 'OnRoute') continue;
        statesOnRoute += 1;
        if (after.plannedLoadKg > after.vehicle.capacityKg)
          throw new Error(`planned ${after.plannedLoadKg} kg on a capacity of ${after.vehicle.capacityKg} kg`);
      }
    }),
    { numRuns: 500 },
  );
  // Guards against a vacuous property: the random histories must actually reach vehicles on routes.
  t.true(statesOnRoute > 100, `only ${statesOnRoute} states on a route were reached`);
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
