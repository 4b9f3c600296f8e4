// The route reactors against the real deciders, over any interleaving of a route's life, its parcels' lives
// and the reactors' own pace: each reads its facts in order but late, while dispatchers, drivers and clients
// go on acting (some assigning parcels to the route through a stale edge check). Whatever the interleaving,
// no parcel is stranded on a closed route and every parcel a route lists is on it or recorded as refused.
import type { AnyAggregate, Command, CommandIntent, DomainEvent, Fact, Reactor } from '@meridian/kernel';
import { parcel, parcelCommands, type ParcelEvent, type ParcelState } from '@meridian/parcel';
import { route, routeCommands, type RouteEvent, type RouteState } from '@meridian/route';
import { vehicle, vehicleCommands, type VehicleState } from '@meridian/vehicle';
import test from 'ava';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { assignmentGuardReactor } from './assignment-guard.ts';
import type { PlatformEvent } from './platform-event.ts';
import { routeLifecycleReactor } from './route-lifecycle.ts';

const start = Date.parse('2026-11-21T06:00:00Z');
const parcelPool = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'];

type Codecs = Record<string, { decode: (u: unknown) => E.Either<unknown, unknown> }>;
const kinds: Record<string, { aggregate: AnyAggregate; codecs: Codecs }> = {
  parcel: { aggregate: parcel as unknown as AnyAggregate, codecs: parcelCommands },
  route: { aggregate: route as unknown as AnyAggregate, codecs: routeCommands },
  vehicle: { aggregate: vehicle as unknown as AnyAggregate, codecs: vehicleCommands },
};

type Action =
  | { readonly kind: 'command'; readonly aggregate: string; readonly type: string; readonly data: Record<string, unknown> }
  /** The route reactor handles the next route fact it has not seen yet. */
  | { readonly kind: 'react' }
  /** The assignment guard handles the next parcel fact it has not seen yet. */
  | { readonly kind: 'guard' }
  /** The driver closes every stop left, completing them: the end of a day. */
  | { readonly kind: 'close-stops' };

const act = (aggregate: string, type: string, data: Record<string, unknown>): Action => ({ kind: 'command', aggregate, type, data });
const toRoute = (type: string, data: Record<string, unknown> = {}) => act('route', type, { routeId: 'r-1', ...data });
const toParcel = (parcelId: string, type: string, data: Record<string, unknown> = {}) => act('parcel', type, { parcelId, ...data });
const anyParcel = fc.constantFrom(...parcelPool);
const anyStop = fc.constantFrom('s-1', 's-2', 's-3');

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Action>({ kind: 'react' }) },
  { weight: 4, arbitrary: fc.constant<Action>({ kind: 'guard' }) },
  // An assignment that passed an edge check a moment behind (the route may have ended since).
  { weight: 1, arbitrary: anyParcel.map((p) => toParcel(p, 'AssignParcelToRoute', { routeId: 'r-1' })) },
  { weight: 3, arbitrary: fc.constant(toRoute('AssignRouteVehicle', { vehicleId: 'v-1', driverId: 'd-1' })) },
  { weight: 3, arbitrary: fc.constant(toRoute('StartRoute')) },
  { weight: 2, arbitrary: anyStop.map((stopId) => toRoute('CompleteStop', { stopId })) },
  { weight: 1, arbitrary: anyStop.map((stopId) => toRoute('SkipStop', { stopId, reason: 'gate closed' })) },
  { weight: 2, arbitrary: fc.constant<Action>({ kind: 'close-stops' }) },
  { weight: 3, arbitrary: fc.constant(toRoute('FinishRoute')) },
  { weight: 1, arbitrary: fc.constant(toRoute('CancelRoute', { reason: 'storm' })) },
  { weight: 1, arbitrary: anyParcel.map((p) => toParcel(p, 'CancelParcel', { reason: 'client asked' })) },
  { weight: 2, arbitrary: anyParcel.map((p) => toParcel(p, 'LoadParcel', { vehicleId: 'v-1' })) },
  { weight: 2, arbitrary: anyParcel.map((p) => toParcel(p, 'StartParcelDelivery')) },
  {
    weight: 2,
    arbitrary: anyParcel.map((p) =>
      toParcel(p, 'DeliverParcel', { proof: { kind: 'photo', reference: 'img' }, location: { lat: 52, lng: 4 } }),
    ),
  },
  { weight: 1, arbitrary: anyParcel.map((p) => toParcel(p, 'FailDeliveryAttempt', { reason: 'recipient-absent' })) },
);

/** The plan: up to three stops over the pool (some parcels never registered), then what everyone does. */
const scenario = fc.record({
  stops: fc
    .shuffledSubarray(parcelPool, { minLength: 1 })
    .chain((parcels) => fc.integer({ min: 1, max: Math.min(3, parcels.length) }).map((count) => ({ parcels, count }))),
  unregistered: fc.subarray(parcelPool, { maxLength: 1 }),
  actions: fc.array(action, { maxLength: 60, size: 'max' }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer A> ? A : never;

const planOf = ({ parcels, count }: Scenario['stops']) =>
  Array.from({ length: count }, (_, index) => ({
    stopId: `s-${index + 1}`,
    location: { lat: 52, lng: 4 },
    parcelIds: parcels.filter((_, i) => i % count === index),
  })).filter((stop) => stop.parcelIds.length > 0);

/** The platform in miniature: every aggregate's state, command handling as the runtime's, the reactor's queue. */
const platform = () => {
  const states = new Map<string, unknown>();
  const routeFacts: Fact<RouteEvent>[] = [];
  const parcelFacts: Fact<ParcelEvent>[] = [];
  let reacted = 0;
  let guarded = 0;
  /** When the route ended (its cancellation or finish was appended), and when each parcel was last assigned to it. */
  let endedAt: number | undefined;
  const lastAssignedAt = new Map<string, number>();
  let clock = start;
  /** Parcels out for delivery when the reactor handled their route's closing fact: they wait for the driver. */
  const outWhenClosed = new Set<string>();
  /** Parcels that were, at some time, assigned to the route. */
  const assignedToRoute = new Set<string>();

  /** A command as the runtime handles it: its refusal's tag, or how many events it appended. */
  const send = (aggregate: string, type: string, data: unknown): { code?: string; appended?: number } => {
    clock += 60_000;
    const kind = kinds[aggregate];
    const codec = kind?.codecs[type];
    if (kind === undefined || codec === undefined) throw new Error(`unknown command ${aggregate}.${type}`);
    const decoded = codec.decode(data);
    if (E.isLeft(decoded)) throw new Error(`invalid ${type}: ${JSON.stringify(data)}`);
    const command = { type, data: decoded.right, metadata: { now: new Date(clock) } } as Command;
    const streamId = `${aggregate}-${kind.aggregate.idOf(command)}`;
    const known = states.has(streamId);
    const expects = kind.aggregate.expects[type];
    if (expects === 'existing' && !known) return { code: 'StreamNotFound' };
    if (expects === 'new' && known) return { code: 'StreamAlreadyExists' };
    const state = states.get(streamId) ?? kind.aggregate.decider.initialState;
    const decision = kind.aggregate.decider.decide(command, state);
    if (E.isLeft(decision)) return { code: decision.left._tag };
    states.set(streamId, decision.right.reduce(kind.aggregate.decider.evolve, state));
    for (const event of decision.right) {
      const recordedAt = new Date(clock).toISOString();
      if (event.type === 'ParcelAssignedToRoute') {
        assignedToRoute.add(String(kind.aggregate.idOf(command)));
        lastAssignedAt.set(String(kind.aggregate.idOf(command)), clock);
      }
      if (event.type === 'RouteCancelled' || event.type === 'RouteFinished') endedAt ??= clock;
      if (aggregate === 'parcel')
        parcelFacts.push({ event: event as ParcelEvent, eventId: `p-${parcelFacts.length}`, streamId, recordedAt });
    }
    if (aggregate === 'route')
      for (const event of decision.right)
        routeFacts.push({
          event: event as RouteEvent,
          eventId: `e-${routeFacts.length}`,
          streamId,
          recordedAt: new Date(clock).toISOString(),
        });
    return { appended: decision.right.length };
  };
  const sendIntent = (intent: CommandIntent) => send(intent.aggregate, intent.type, intent.data);

  /** A reactor's fact: its commands, and what it makes of each refusal. */
  const handle = (reactor: Reactor<PlatformEvent>, fact: Fact<PlatformEvent>) => {
    for (const intent of reactor.react(fact)) {
      const { code } = sendIntent(intent);
      if (code !== undefined) for (const followUp of reactor.onRefused?.(fact, intent, { code, message: code }) ?? []) sendIntent(followUp);
    }
  };
  const react = () => {
    const fact = routeFacts[reacted];
    if (fact === undefined) return;
    reacted += 1;
    if (fact.event.type === 'RouteCancelled' || fact.event.type === 'RouteFinished')
      for (const p of parcelPool) if (parcelOf(p).status === 'OutForDelivery') outWhenClosed.add(p);
    handle(routeLifecycleReactor, fact);
  };
  const guard = () => {
    const fact = parcelFacts[guarded];
    if (fact === undefined) return;
    guarded += 1;
    handle(assignmentGuardReactor, fact);
  };
  const parcelOf = (parcelId: string) => (states.get(`parcel-${parcelId}`) ?? parcel.decider.initialState) as ParcelState;
  return {
    send,
    react,
    guard,
    drain: () => {
      while (reacted < routeFacts.length || guarded < parcelFacts.length) {
        react();
        guard();
      }
    },
    endedAt: () => endedAt,
    lastAssignedAt,
    parcelOf,
    routeState: () => (states.get('route-r-1') ?? route.decider.initialState) as RouteState,
    vehicleState: () => states.get('vehicle-v-1') as VehicleState,
    routeFacts: () => routeFacts.map((fact) => fact.event),
    outWhenClosed,
    assignedToRoute,
  };
};

const run = (s: Scenario) => {
  const p = platform();
  const address = { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52, lng: 4 } };
  for (const parcelId of parcelPool.filter((id) => !s.unregistered.includes(id)))
    p.send('parcel', 'RegisterParcel', {
      parcelId,
      clientId: 'acme',
      recipient: { name: 'Ada' },
      address,
      weightKg: 2,
      slaDeadline: '2026-11-22T06:00:00Z',
    });
  p.send('vehicle', 'RegisterVehicle', { vehicleId: 'v-1', depotId: 'ams-1', capacityKg: 500 });
  p.send('vehicle', 'GoOnDuty', { vehicleId: 'v-1', driverId: 'd-1' });
  const stops = planOf(s.stops);
  const plan = p.send('route', 'PlanRoute', {
    routeId: 'r-1',
    depotId: 'ams-1',
    dispatchWindow: { from: '2026-11-21T06:00:00Z', to: '2026-11-21T23:00:00Z' },
    stops,
  });
  if (plan.code !== undefined) throw new Error(`plan refused: ${plan.code}`);
  for (const a of s.actions) {
    switch (a.kind) {
      case 'react':
        p.react();
        break;
      case 'guard':
        p.guard();
        break;
      case 'close-stops':
        for (const stop of stops) p.send('route', 'CompleteStop', { routeId: 'r-1', stopId: stop.stopId });
        break;
      case 'command':
        // The command API's edge check refuses a load for a route that has ended (confirmed by its history).
        if (a.type === 'LoadParcel' && ['Cancelled', 'Finished'].includes(p.routeState().status)) break;
        if (a.type !== 'AssignRouteVehicle') p.send(a.aggregate, a.type, a.data);
        // The dispatcher assigns the vehicle on both sides, the vehicle's first, and releases it if the route refuses.
        else if (p.send('vehicle', 'AssignVehicleToRoute', { vehicleId: 'v-1', routeId: 'r-1', plannedLoadKg: 10 }).code === undefined)
          if (p.send(a.aggregate, a.type, a.data).code !== undefined)
            p.send('vehicle', 'ReleaseVehicleFromRoute', { vehicleId: 'v-1', routeId: 'r-1' });
    }
  }
  p.drain();
  return { p, planned: stops.flatMap((stop) => stop.parcelIds) };
};

const onRoute = (state: ParcelState) => ('routeId' in state && state.routeId === 'r-1' ? state.status : undefined);

test('no parcel is left on a cancelled or finished route but one out for delivery when it ended, which waits for its driver', (t) => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { p, planned } = run(s);
      const { status } = p.routeState();
      if (status !== 'Cancelled' && status !== 'Finished') return true;
      return planned.every((id) => {
        const left = onRoute(p.parcelOf(id));
        return left === undefined || left === 'Delivered' || p.outWhenClosed.has(id);
      });
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('an assignment that lands after its route ended is undone: what stays on an ended route came before its end', (t) => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { p, planned } = run(s);
      const endedAt = p.endedAt();
      if (endedAt === undefined) return true;
      return parcelPool.every((id) => {
        const left = onRoute(p.parcelOf(id));
        if (left !== 'AssignedToRoute' && left !== 'Loaded') return true;
        return !planned.includes(id) && (p.lastAssignedAt.get(id) ?? 0) < endedAt;
      });
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test("a cancelled route's vehicle is released", (t) => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { p } = run(s);
      const van = p.vehicleState();
      return p.routeState().status !== 'Cancelled' || !(van.status === 'OnRoute' && van.routeId === 'r-1');
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('every parcel of the plan is on the route or recorded on it as refused, never silently dropped', (t) => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { p, planned } = run(s);
      const state = p.routeState();
      if (state.status === 'Unplanned') return false;
      const listed = new Set<string>(state.route.stops.flatMap((stop) => stop.parcelIds));
      const refused = new Set<string>(
        p
          .routeFacts()
          .flatMap((event: DomainEvent) =>
            event.type === 'RouteParcelRefused' ? [(event as RouteEvent & { type: 'RouteParcelRefused' }).data.parcelId] : [],
          ),
      );
      // A parcel the route still lists has been assigned to it (it may have moved on since: loaded, delivered, cancelled...).
      return planned.every((id) => listed.has(id) !== refused.has(id)) && [...listed].every((id) => p.assignedToRoute.has(id));
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('a plan whose reaction comes after the driver delivered a parcel (assigned by hand) records no refusal for it', (t) => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { p } = run(s);
      const refused = p.routeFacts().flatMap((event) => (event.type === 'RouteParcelRefused' ? [event.data.parcelId] : []));
      return refused.every((id) => onRoute(p.parcelOf(id)) !== 'Delivered');
    }),
    {
      numRuns: 1000,
      // The case itself, which random runs rarely reach: the reactor reads the plan only once the day is done.
      examples: [
        [
          {
            stops: { parcels: ['p-1', 'p-2'], count: 1 },
            unregistered: [],
            actions: [
              toParcel('p-1', 'AssignParcelToRoute', { routeId: 'r-1' }),
              toParcel('p-1', 'LoadParcel', { vehicleId: 'v-1' }),
              toParcel('p-1', 'StartParcelDelivery'),
              toParcel('p-1', 'DeliverParcel', { proof: { kind: 'photo', reference: 'img' }, location: { lat: 52, lng: 4 } }),
            ],
          },
        ],
      ],
    },
  );
  t.pass();
});

test('the scenarios reach every ending: cancelled, finished, refusals recorded', (t) => {
  const outcomes = fc.sample(scenario, { numRuns: 1000, seed: 7 }).map((s) => run(s).p);
  t.true(outcomes.some((p) => p.routeState().status === 'Cancelled'));
  t.true(outcomes.some((p) => p.routeState().status === 'Finished'));
  t.true(outcomes.some((p) => p.routeFacts().some((event) => event.type === 'RouteParcelRefused')));
});
