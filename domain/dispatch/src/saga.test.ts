// The dispatch saga, given-when-then on the virtual clock: the happy path step by step, a decline, a
// timeout, an optimizer failing and recovering, an optimizer failing for good, and the smaller turns (a
// parcel or a vehicle refusing, a redelivered fact, a late answer). The facts are those of testing/facts.ts.
import {
  cancelTimer,
  requestActivity,
  scheduleTimer,
  type CommandIntent,
  type CommandRefusal,
  type NonEmptyString,
  type Reaction,
} from '@meridian/kernel';
import { at, givenProcess, timeElapses, type ScenarioWorld } from '@meridian/kernel/testing';
import test, { type ExecutionContext } from 'ava';
import type { DispatchEvent } from './events.ts';
import type { DispatchInput } from './interpret.ts';
import { problemOf } from './optimize.ts';
import { dispatchSaga } from './saga.ts';
import type { DispatchState } from './state.ts';
import {
  accepted,
  day,
  declined,
  depot,
  depotId,
  kg,
  opened,
  p1,
  p2,
  p3,
  p4,
  parcelAssigned,
  parcelReleased,
  r1,
  r2,
  reservationReleased,
  reserved,
  routeAssigned,
  routePlanned,
  v1,
  v2,
  v3,
  vehicleAssigned,
  windowId,
  windowParcels,
  withdrawn,
} from './testing/facts.ts';
import { greedyPlanOf, optimizerFailing, planAnswer } from './testing/plans.ts';

const planning: ScenarioWorld = { activities: { optimize: optimizerFailing(0) } };
const given = givenProcess(dispatchSaga, planning);

const types = (reaction: Reaction<DispatchEvent>) => reaction.events.map((event) => event.type);
const command = (aggregate: string, type: string, data: unknown): CommandIntent => ({ aggregate, type, data });
const because = (what: string) => `dispatch window w-1: ${what}` as NonEmptyString;

// The stages of a window where every driver accepts.
const reservations: DispatchInput[] = [opened(), reserved(v1), reserved(v2), reserved(v3)];
const plans: DispatchInput[] = [routePlanned(r1, [p1, p2]), routePlanned(r2, [p3, p4])];
const holds: DispatchInput[] = [parcelAssigned(p1, r1), parcelAssigned(p2, r1), parcelAssigned(p3, r2), parcelAssigned(p4, r2)];
const offeredAll = [...reservations, ...plans, ...holds];
const confirmR1 = [accepted(v1, r1), vehicleAssigned(v1, r1), routeAssigned(r1, v1, [p1, p2])];
const confirmR2 = [accepted(v2, r2), vehicleAssigned(v2, r2), routeAssigned(r2, v2, [p3, p4])];

const offer = (vehicleId: string, routeId: string, expiresAt: string) =>
  command('vehicle', 'OfferRouteToVehicle', { vehicleId, windowId, routeId, plannedLoadKg: 80, expiresAt });
const releaseReservation = (vehicleId: string) => command('vehicle', 'ReleaseVehicleReservation', { vehicleId, windowId });

// ---- the happy path, step by step ----

test(
  'the window opens: each of its vehicles is asked for a reservation',
  given([])
    .when(opened())
    .then({
      events: [
        {
          type: 'DispatchStarted',
          data: {
            windowId,
            depotId,
            depot,
            dispatchWindow: { from: day('06:00'), to: day('10:00') },
            parcels: windowParcels,
            vehicleIds: [v1, v2, v3],
            acceptanceSeconds: 900,
            serviceSeconds: 120,
            optimizerSeconds: 5,
            at: day('06:00'),
          },
        },
      ],
      commands: [v1, v2, v3].map((vehicleId) => command('vehicle', 'ReserveVehicle', { vehicleId, windowId, depotId })),
      timers: [],
    }),
);

test(
  'nothing is asked of the optimizer while a reservation is unanswered',
  given([opened(), reserved(v1)])
    .when(reserved(v2))
    .then({ activities: [] }),
);

const problem = problemOf({
  windowId,
  depot,
  startAt: day('06:00'),
  parcels: windowParcels,
  vehicles: [v1, v2, v3].map((vehicleId) => ({ vehicleId, capacityKg: 100 })),
  serviceSeconds: 120,
  optimizerSeconds: 5,
});

const planOf = (routeId: string, parcels: readonly string[]) =>
  command('route', 'PlanRoute', {
    routeId,
    depotId,
    dispatchWindow: { from: day('06:00'), to: day('10:00') },
    stops: parcels.map((parcelId) => ({
      stopId: parcelId,
      location: windowParcels.find((p) => p.parcelId === parcelId)?.location,
      parcelIds: [parcelId],
    })),
  });

test(
  'every reservation answered: the optimizer plans over the reserved vehicles, and each of its routes is planned, a stop per parcel',
  given([opened(), reserved(v1), reserved(v2)])
    .when(reserved(v3))
    .then({
      activities: [requestActivity('optimize', 'optimize-1', problem)],
      commands: [planOf(r1, [p1, p2]), planOf(r2, [p3, p4])],
      timers: [scheduleTimer('optimize-timeout-1', '2026-11-21T06:01:05.000Z'), cancelTimer('optimize-timeout-1')],
    }),
);

test("the problem is the port's: stops with their weights and deadlines, a seed from the window, a time limit", (t) => {
  t.like(problem, { metric: 'great-circle', depot, startAt: day('06:00'), search: { timeLimitMs: 5000 } });
  t.deepEqual(problem.stops[0], {
    stopId: p1,
    location: windowParcels[0]?.location,
    demandKg: 40,
    serviceSeconds: 120,
    window: { closesAt: day('17:00') },
  });
  t.is(
    problemOf({ ...problem, windowId, parcels: windowParcels, vehicles: [], serviceSeconds: 120, optimizerSeconds: 5 }).search.seed,
    problem.search.seed,
  );
});

test(
  "a planned route's parcels are assigned to it",
  given(reservations)
    .when(routePlanned(r1, [p1, p2]))
    .then({
      events: [{ type: 'RouteCreated', data: { routeId: r1, at: day('06:00') } }],
      commands: [
        command('parcel', 'AssignParcelToRoute', { parcelId: p1, routeId: r1 }),
        command('parcel', 'AssignParcelToRoute', { parcelId: p2, routeId: r1 }),
      ],
    }),
);

test(
  "a route holding every parcel is offered to its vehicle's driver until the acceptance deadline",
  given([...reservations, ...plans, parcelAssigned(p1, r1)])
    .when(parcelAssigned(p2, r1))
    .then({
      events: [
        { type: 'ParcelHeld', data: { routeId: r1, parcelId: p2, at: day('06:00') } },
        { type: 'RouteFilled', data: { routeId: r1, parcelIds: [p1, p2], loadKg: kg(80), at: day('06:00') } },
        {
          type: 'RouteOffered',
          data: { routeId: r1, vehicleId: v1, driverId: 'd-1', attempt: 1, expiresAt: day('06:15'), at: day('06:00') },
        },
      ] as DispatchEvent[],
      commands: [offer(v1, r1, day('06:15'))],
      timers: [scheduleTimer('offer-w-1.r1-1', day('06:15'))],
    }),
);

test(
  'an acceptance assigns the vehicle and the route to each other',
  given(offeredAll)
    .when(at('06:05', accepted(v1, r1)))
    .then({
      commands: [
        command('vehicle', 'AssignVehicleToRoute', { vehicleId: v1, routeId: r1, plannedLoadKg: 80 }),
        command('route', 'AssignRouteVehicle', { routeId: r1, vehicleId: v1, driverId: 'd-1' }),
      ],
      timers: [cancelTimer('offer-w-1.r1-1')],
    }),
);

test(
  'both assignments recorded: the route is confirmed',
  given([...offeredAll, accepted(v1, r1), vehicleAssigned(v1, r1)])
    .when(routeAssigned(r1, v1, [p1, p2]))
    .thenState((t, _state, reaction) => t.deepEqual(types(reaction), ['RouteAssignmentRecorded', 'RouteConfirmed'])),
);

test(
  'every route confirmed: the spare vehicle is released',
  given([...offeredAll, ...confirmR1, accepted(v2, r2), vehicleAssigned(v2, r2)])
    .when(routeAssigned(r2, v2, [p3, p4]))
    .then({ commands: [releaseReservation(v3)] }),
);

test(
  'the last release completes the window: every parcel dispatched',
  given([...offeredAll, ...confirmR1, ...confirmR2])
    .when(at('06:07', reservationReleased(v3)))
    .then({
      events: [
        { type: 'VehicleReleased', data: { vehicleId: v3, at: day('06:07') } },
        {
          type: 'DispatchCompleted',
          data: {
            status: 'dispatched',
            routes: [
              { routeId: r1, vehicleId: v1, driverId: 'd-1', parcelIds: [p1, p2], loadKg: kg(80) },
              { routeId: r2, vehicleId: v2, driverId: 'd-2', parcelIds: [p3, p4], loadKg: kg(80) },
            ],
            notDispatched: [],
            at: day('06:07'),
          },
        },
      ] as DispatchEvent[],
      commands: [],
    }),
);

test(
  'a completed window ignores what comes after',
  given([...offeredAll, ...confirmR1, ...confirmR2, reservationReleased(v3)])
    .when(declined(v1, r1))
    .thenNothing(),
);

// ---- a decline, then the next vehicle ----

test(
  'a decline releases that vehicle and offers the route to the next free one',
  given(offeredAll)
    .when(at('06:05', declined(v1, r1)))
    .then({
      events: [
        { type: 'RouteOfferDeclined', data: { routeId: r1, vehicleId: v1, attempt: 1, at: day('06:05'), reason: 'flat tyre' } },
        {
          type: 'RouteOffered',
          data: { routeId: r1, vehicleId: v3, driverId: 'd-3', attempt: 2, expiresAt: day('06:20'), at: day('06:05') },
        },
        { type: 'VehiclesReleasing', data: { vehicleIds: [v1], at: day('06:05') } },
      ] as DispatchEvent[],
      commands: [offer(v3, r1, day('06:20')), releaseReservation(v1)],
      timers: [cancelTimer('offer-w-1.r1-1'), scheduleTimer('offer-w-1.r1-2', day('06:20'))],
    }),
);

test(
  'the next vehicle accepts: the route is confirmed on it, and the window completes',
  given([
    ...offeredAll,
    ...confirmR2,
    at('06:05', declined(v1, r1)),
    reservationReleased(v1),
    at('06:08', accepted(v3, r1)),
    vehicleAssigned(v3, r1),
  ])
    .when(routeAssigned(r1, v3, [p1, p2]))
    .thenState((t, state, reaction) => {
      t.deepEqual(types(reaction), ['RouteAssignmentRecorded', 'RouteConfirmed', 'DispatchCompleted']);
      t.like(state, {
        phase: 'completed',
        outcome: {
          status: 'dispatched',
          routes: [
            { routeId: r1, vehicleId: v3, driverId: 'd-3' },
            { routeId: r2, vehicleId: v2 },
          ],
        },
      });
    }),
);

test(
  'an acceptance of a declined offer is not heard',
  given([...offeredAll, at('06:05', declined(v1, r1))])
    .when(accepted(v1, r1))
    .thenNothing(),
);

// ---- an acceptance timeout ----

test(
  'no answer by the deadline: the offer is withdrawn',
  given([...offeredAll, ...confirmR2])
    .when(timeElapses('15m'))
    .then({
      events: [{ type: 'RouteOfferTimedOut', data: { routeId: r1, vehicleId: v1, attempt: 1, at: day('06:15') } }],
      commands: [
        command('vehicle', 'WithdrawRouteOffer', { vehicleId: v1, windowId, routeId: r1, reason: because('no answer by the deadline') }),
      ],
    }),
);

test(
  'nothing happens before the deadline',
  given([...offeredAll, ...confirmR2])
    .when(timeElapses('14m'))
    .thenNothing(),
);

test(
  'once withdrawn, the route is offered to the spare and the silent vehicle released',
  given([...offeredAll, ...confirmR2, timeElapses('15m')])
    .when(withdrawn(v1, r1))
    .thenState((t, _state, reaction) => {
      t.deepEqual(types(reaction), ['RouteOfferWithdrawn', 'RouteOffered', 'VehiclesReleasing']);
      t.deepEqual(reaction.commands, [offer(v3, r1, day('06:30')), releaseReservation(v1)]);
    }),
);

const withdrawalRefused: ScenarioWorld = {
  ...planning,
  refuse: (c) => (c.type === 'WithdrawRouteOffer' ? { code: 'RouteOfferAlreadyAccepted', message: 'the offer was accepted' } : undefined),
};

test(
  'the driver answered first: the refused withdrawal changes nothing, and the acceptance confirms the route',
  givenProcess(
    dispatchSaga,
    withdrawalRefused,
  )([...offeredAll, ...confirmR2, timeElapses('15m')])
    .when(accepted(v1, r1))
    .thenState((t, _state, reaction) => {
      t.deepEqual(types(reaction), ['RouteAccepted']);
      t.deepEqual(
        reaction.commands.map((c) => c.type),
        ['AssignVehicleToRoute', 'AssignRouteVehicle'],
      );
    }),
);

const bothTimedOut = [...offeredAll, ...confirmR2, timeElapses('15m'), withdrawn(v1, r1), reservationReleased(v1), timeElapses('15m')];

test(
  'no vehicle left: the route is dropped, cancelled, its parcels released and its last vehicle freed',
  given(bothTimedOut)
    .when(withdrawn(v3, r1))
    .then({
      events: [
        { type: 'RouteOfferWithdrawn', data: { routeId: r1, vehicleId: v3, attempt: 2, at: day('06:30') } },
        {
          type: 'RouteDropped',
          data: { routeId: r1, reason: 'no-driver', detail: 'no free vehicle left after 2 offers', at: day('06:30') },
        },
        { type: 'VehiclesReleasing', data: { vehicleIds: [v3], at: day('06:30') } },
      ] as DispatchEvent[],
      commands: [
        command('parcel', 'ReleaseParcelFromRoute', { parcelId: p1, routeId: r1, reason: because('no free vehicle left after 2 offers') }),
        command('parcel', 'ReleaseParcelFromRoute', { parcelId: p2, routeId: r1, reason: because('no free vehicle left after 2 offers') }),
        command('route', 'CancelRoute', { routeId: r1, reason: because('no free vehicle left after 2 offers') }),
        releaseReservation(v3),
      ],
    }),
);

test(
  'with its parcels back in the pool and its vehicles released, the window completes partly dispatched',
  given([...bothTimedOut, withdrawn(v3, r1), parcelReleased(p1, r1), reservationReleased(v3)])
    .when(parcelReleased(p2, r1))
    .thenState((t, state) =>
      t.like(state, {
        phase: 'completed',
        outcome: {
          status: 'partly-dispatched',
          routes: [{ routeId: r2, vehicleId: v2, parcelIds: [p3, p4] }],
          notDispatched: [
            { parcelId: p1, reason: 'no-driver', detail: 'no free vehicle left after 2 offers' },
            { parcelId: p2, reason: 'no-driver', detail: 'no free vehicle left after 2 offers' },
          ],
        },
      }),
    ),
);

test(
  'an offer never outlives the window: its deadline is the window end, and after it the route is dropped',
  given([
    ...reservations,
    ...plans,
    parcelAssigned(p3, r2),
    parcelAssigned(p4, r2),
    ...confirmR2,
    parcelAssigned(p1, r1),
    at('09:55', parcelAssigned(p2, r1)),
  ])
    .when(timeElapses('5m'))
    .thenState((t, state, reaction) => {
      t.deepEqual(types(reaction), ['RouteOfferTimedOut']);
      t.like(state, { routes: { [r1]: { offer: { expiresAt: day('10:00') } } } });
    }),
);

// ---- the optimizer ----

const failingTwice = givenProcess(dispatchSaga, { activities: { optimize: optimizerFailing(2) } });

test(
  'an optimizer failure is retried after 10 s',
  failingTwice([opened(), reserved(v1), reserved(v2)])
    .when(reserved(v3))
    .then({
      events: [
        { type: 'VehicleSecured', data: { vehicleId: v3, driverId: 'd-3', capacityKg: kg(100), at: day('06:00') } },
        { type: 'OptimizationRequested', data: { attempt: 1, vehicleIds: [v1, v2, v3], startAt: day('06:00'), at: day('06:00') } },
        {
          type: 'OptimizationFailed',
          data: { attempt: 1, error: 'optimizer unavailable (attempt 1)', at: day('06:00'), retryAt: '2026-11-21T06:00:10.000Z' },
        },
      ] as DispatchEvent[],
      timers: [
        scheduleTimer('optimize-timeout-1', '2026-11-21T06:01:05.000Z'),
        cancelTimer('optimize-timeout-1'),
        scheduleTimer('optimize-retry-2', '2026-11-21T06:00:10.000Z'),
      ],
      commands: [],
    }),
);

test(
  'a second failure is retried after 30 s more',
  failingTwice(reservations)
    .when(timeElapses('10s'))
    .thenState((t, _state, reaction) => {
      t.deepEqual(types(reaction), ['OptimizationRequested', 'OptimizationFailed']);
      t.like(reaction.events[1], { data: { attempt: 2, retryAt: '2026-11-21T06:00:40.000Z' } });
    }),
);

test(
  'the third attempt plans: its routes go ahead',
  failingTwice([...reservations, timeElapses('10s')])
    .when(timeElapses('30s'))
    .thenState((t, state, reaction) => {
      t.deepEqual(types(reaction), ['OptimizationRequested', 'RoutesOptimized']);
      t.like(reaction.events[1], {
        data: {
          attempt: 3,
          routes: [
            { routeId: r1, vehicleId: v1, parcelIds: [p1, p2] },
            { routeId: r2, vehicleId: v2 },
          ],
        },
      });
      t.deepEqual(
        reaction.commands.map((c) => c.type),
        ['PlanRoute', 'PlanRoute'],
      );
      t.is(state?.phase, 'dispatching');
    }),
);

const failingForGood = givenProcess(dispatchSaga, { activities: { optimize: optimizerFailing(99) } });

test(
  'an optimizer failing for good: after the fourth attempt the window is given up and every vehicle released',
  failingForGood([...reservations, timeElapses('10s'), timeElapses('30s')])
    .when(timeElapses('90s'))
    .then({
      events: [
        {
          type: 'OptimizationRequested',
          data: { attempt: 4, vehicleIds: [v1, v2, v3], startAt: '2026-11-21T06:02:10.000Z', at: '2026-11-21T06:02:10.000Z' },
        },
        { type: 'OptimizationFailed', data: { attempt: 4, error: 'optimizer unavailable (attempt 4)', at: '2026-11-21T06:02:10.000Z' } },
        {
          type: 'DispatchAbandoned',
          data: {
            reason: 'optimizer-failed',
            detail: 'no plan after 4 attempts; the last: optimizer unavailable (attempt 4)',
            at: '2026-11-21T06:02:10.000Z',
          },
        },
        { type: 'VehiclesReleasing', data: { vehicleIds: [v1, v2, v3], at: '2026-11-21T06:02:10.000Z' } },
      ] as DispatchEvent[],
      commands: [v1, v2, v3].map(releaseReservation),
    }),
);

test(
  'fully compensated: once every vehicle is released, no parcel was dispatched, each saying why',
  failingForGood([
    ...reservations,
    timeElapses('10s'),
    timeElapses('30s'),
    timeElapses('90s'),
    reservationReleased(v1),
    reservationReleased(v2),
  ])
    .when(reservationReleased(v3))
    .thenState((t, state) => {
      if (state?.phase !== 'completed') return t.fail(`the window is ${state?.phase}`);
      t.is(state.outcome?.status, 'not-dispatched');
      t.deepEqual(state.outcome?.routes, []);
      t.deepEqual(
        state.outcome?.notDispatched.map((p) => [p.parcelId, p.reason]),
        [p1, p2, p3, p4].map((parcelId) => [parcelId, 'optimizer-failed']),
      );
    }),
);

test(
  'an optimizer that does not answer: the attempt counts as failed after its time limit and a minute',
  givenProcess(dispatchSaga)(reservations)
    .when(timeElapses('65s'))
    .thenState((t, _state, reaction) => {
      t.deepEqual(types(reaction), ['OptimizationFailed']);
      t.like(reaction.events[0], { data: { attempt: 1, error: 'no answer within 65 s', retryAt: '2026-11-21T06:01:15.000Z' } });
    }),
);

const lateAnswer = (input: unknown) => ({ ok: true, value: greedyPlanOf(input) }) as const;

test('a late answer of an attempt already given up is not heard', (t) => {
  // The answer to attempt 1 arrives while attempt 2 runs: only attempt 2's counts.
  const state = run([...reservations, timeElapses('65s'), timeElapses('10s')]);
  const reaction = dispatchSaga.react(state, {
    kind: 'activity',
    activity: 'optimize',
    key: 'optimize-1',
    outcome: lateAnswer(problem),
    at: day('06:02'),
  });
  t.deepEqual(reaction.events, []);
});

test(
  'a plan that is not usable counts as a failed attempt (here, a parcel twice)',
  givenProcess(dispatchSaga, {
    activities: {
      optimize: (input, attempt) =>
        attempt === 1 && isProblem(input)
          ? { ok: true, value: planAnswer(input, [{ vehicleId: v1, stopIds: [p1, p1] }]) }
          : { ok: false, error: 'down' },
    },
  })([opened(), reserved(v1), reserved(v2)])
    .when(reserved(v3))
    .thenState((t, _state, reaction) =>
      t.like(reaction.events.at(-1), {
        type: 'OptimizationFailed',
        data: { error: "the optimizer's plan is unusable: stop p-1 is planned twice" },
      }),
    ),
);

test(
  'parcels the optimizer leaves out are reported with its reason',
  givenProcess(dispatchSaga, {
    activities: {
      optimize: (input) =>
        isProblem(input)
          ? {
              ok: true,
              value: planAnswer(
                input,
                [{ vehicleId: v1, stopIds: [p1, p2] }],
                [
                  { stopId: p3, reason: 'no-room' },
                  { stopId: p4, reason: 'unreachable-in-window' },
                ],
              ),
            }
          : { ok: false, error: 'not a problem' },
    },
  })([
    opened(),
    reserved(v1),
    reserved(v2),
    reserved(v3),
    routePlanned(r1, [p1, p2]),
    parcelAssigned(p1, r1),
    parcelAssigned(p2, r1),
    accepted(v1, r1),
    vehicleAssigned(v1, r1),
    routeAssigned(r1, v1, [p1, p2]),
    reservationReleased(v2),
  ])
    .when(reservationReleased(v3))
    .thenState((t, state) =>
      t.like(state, {
        outcome: {
          status: 'partly-dispatched',
          notDispatched: [
            { parcelId: p3, reason: 'no-room', detail: 'left out by the optimizer: no route had room for it' },
            {
              parcelId: p4,
              reason: 'unreachable-in-window',
              detail: 'left out by the optimizer: no vehicle can reach it before its SLA deadline',
            },
          ],
        },
      }),
    ),
);

// ---- refusals and repeats ----

const refusing =
  (type: string, key: string, value: string, code: string): ScenarioWorld['refuse'] =>
  (c) => {
    const data: unknown = c.data;
    return c.type === type &&
      typeof data === 'object' &&
      data !== null &&
      key in data &&
      Object.entries(data).some(([k, v]) => k === key && v === value)
      ? ({ code, message: `${value} refused` } satisfies CommandRefusal)
      : undefined;
  };

test(
  'a vehicle that refuses its reservation is left out of the problem',
  givenProcess(dispatchSaga, { ...planning, refuse: refusing('ReserveVehicle', 'vehicleId', v2, 'VehicleNotOnDuty') })([])
    .when(opened())
    .thenState((t, state, reaction) => {
      t.deepEqual(types(reaction), ['DispatchStarted', 'VehicleUnavailable']);
      t.like(state, { vehicles: { [v2]: { status: 'unavailable', reason: 'VehicleNotOnDuty' } } });
    }),
);

test(
  'no vehicle reserved: the window is given up and completes at once, nothing dispatched',
  givenProcess(dispatchSaga, {
    refuse: (c) => (c.type === 'ReserveVehicle' ? { code: 'VehicleNotOnDuty', message: 'off duty' } : undefined),
  })([])
    .when(opened())
    .thenState((t, state, reaction) => {
      t.deepEqual(types(reaction), [
        'DispatchStarted',
        'VehicleUnavailable',
        'VehicleUnavailable',
        'VehicleUnavailable',
        'DispatchAbandoned',
        'DispatchCompleted',
      ]);
      t.like(state, { phase: 'completed', outcome: { status: 'not-dispatched' }, abandoned: { reason: 'no-vehicle' } });
    }),
);

const p2Refuses: ScenarioWorld = { ...planning, refuse: refusing('AssignParcelToRoute', 'parcelId', p2, 'ParcelNotAssignable') };

test(
  'a parcel that refuses its route is reported, and the route goes on without it',
  givenProcess(
    dispatchSaga,
    p2Refuses,
  )(reservations)
    .when(routePlanned(r1, [p1, p2]))
    .thenState((t, state, reaction) => {
      t.deepEqual(types(reaction), ['RouteCreated', 'ParcelRefused']);
      t.like(state, { routes: { [r1]: { parcels: { [p2]: { status: 'refused', reason: 'ParcelNotAssignable' } } } } });
    }),
);

test(
  'the route of a refused parcel carries the others, and is offered with their weight only',
  givenProcess(
    dispatchSaga,
    p2Refuses,
  )([...reservations, routePlanned(r1, [p1, p2])])
    .when(parcelAssigned(p1, r1))
    .then({
      events: [
        { type: 'ParcelHeld', data: { routeId: r1, parcelId: p1, at: day('06:00') } },
        { type: 'RouteFilled', data: { routeId: r1, parcelIds: [p1], loadKg: kg(40), at: day('06:00') } },
        {
          type: 'RouteOffered',
          data: { routeId: r1, vehicleId: v1, driverId: 'd-1', attempt: 1, expiresAt: day('06:15'), at: day('06:00') },
        },
      ] as DispatchEvent[],
      commands: [
        command('vehicle', 'OfferRouteToVehicle', { vehicleId: v1, windowId, routeId: r1, plannedLoadKg: 40, expiresAt: day('06:15') }),
      ],
    }),
);

test(
  'a route every parcel refused is dropped and cancelled; its vehicle is kept as a spare',
  givenProcess(dispatchSaga, {
    ...planning,
    refuse: (c) => (c.type === 'AssignParcelToRoute' ? { code: 'ParcelNotAssignable', message: 'cancelled' } : undefined),
  })(reservations)
    .when(routePlanned(r1, [p1, p2]))
    .thenState((t, state, reaction) => {
      t.deepEqual(types(reaction), ['RouteCreated', 'ParcelRefused', 'ParcelRefused', 'RouteDropped']);
      t.deepEqual(
        reaction.commands.map((c) => c.type),
        ['AssignParcelToRoute', 'AssignParcelToRoute', 'CancelRoute'],
      );
      t.like(state, { vehicles: { [v1]: { status: 'reserved' } } });
    }),
);

test(
  'a plan the route refuses drops the route; its parcels never left the pool',
  givenProcess(dispatchSaga, { ...planning, refuse: refusing('PlanRoute', 'routeId', r1, 'DispatchWindowInPast') })([
    opened(),
    reserved(v1),
    reserved(v2),
  ])
    .when(reserved(v3))
    .thenState((t, state, reaction) => {
      t.true(types(reaction).includes('RouteDropped'));
      t.like(state, {
        routes: {
          [r1]: { status: 'dropped', parcels: { [p1]: { status: 'unassigned', reason: 'plan-refused' }, [p2]: { status: 'unassigned' } } },
        },
      });
    }),
);

test(
  'a route cancelled while its parcels answer is dropped once they have: the held ones released, nothing cancelled twice',
  given([
    ...reservations,
    routePlanned(r1, [p1, p2]),
    parcelAssigned(p1, r1),
    {
      type: 'RouteCancelled',
      data: { routeId: r1, reason: 'storm' as NonEmptyString, releasedParcelIds: [p1, p2], cancelledAt: day('06:00') },
    },
  ])
    .when(parcelAssigned(p2, r1))
    .thenState((t, _state, reaction) => {
      t.deepEqual(types(reaction), ['ParcelHeld', 'RouteDropped']);
      t.deepEqual(
        reaction.commands.map((c) => c.type),
        ['ReleaseParcelFromRoute', 'ReleaseParcelFromRoute'],
      );
    }),
);

test(
  'a fact heard twice is recorded once',
  given([opened(), reserved(v1)])
    .when(reserved(v1))
    .thenNothing(),
);
test('an assignment heard twice offers nothing twice', given(offeredAll).when(parcelAssigned(p2, r1)).thenNothing());
test('an offer timer that fires again after its offer was answered changes nothing', (t) => {
  const state = run([...offeredAll, at('06:05', declined(v1, r1))]);
  const reaction = dispatchSaga.react(state, { kind: 'timer', name: 'offer-w-1.r1-1', dueAt: day('06:15'), timerId: 'x' });
  t.deepEqual(reaction.events, []);
});
test('facts of other windows and routes are not correlated to this one', (t) => {
  const fact = (event: DispatchInput) => ({ event, eventId: 'e', streamId: 's', recordedAt: day('06:00') });
  t.is(dispatchSaga.correlate(fact(reserved(v1))), 'w-1');
  t.is(dispatchSaga.correlate(fact(parcelAssigned(p1, r1))), 'w-1');
  t.is(dispatchSaga.correlate(fact(parcelAssigned(p1, 'r-7' as typeof r1))), undefined);
  t.is(dispatchSaga.correlate(fact(parcelAssigned(p1, 'w-2.x.r12' as typeof r1))), 'w-2.x');
});

test(
  'a route cancelled by a dispatcher while offered is let go: its parcels released, its vehicle freed',
  given(offeredAll)
    .when({
      type: 'RouteCancelled',
      data: { routeId: r1, reason: 'storm' as NonEmptyString, releasedParcelIds: [p1, p2], cancelledAt: day('06:00') },
    })
    .thenState((t, _state, reaction) => {
      t.deepEqual(types(reaction), ['RouteDropped', 'VehiclesReleasing']);
      t.deepEqual(
        reaction.commands.map((c) => c.type),
        ['ReleaseParcelFromRoute', 'ReleaseParcelFromRoute', 'ReleaseVehicleReservation'],
        'the route is cancelled already: no CancelRoute',
      );
    }),
);

// A state reached by folding the saga's own reactions over steps, for tests that hand it an input directly.
const run = (steps: readonly (DispatchInput | ReturnType<typeof timeElapses> | ReturnType<typeof at<DispatchInput>>)[]): DispatchState => {
  let state: DispatchState | undefined;
  given(steps.slice(0, -1))
    .when(steps.at(-1) ?? opened())
    .thenState((_t, s) => {
      state = s;
    })({} as ExecutionContext);
  if (state === undefined) throw new Error('no state');
  return state;
};

const isProblem = (input: unknown): input is Parameters<typeof planAnswer>[0] =>
  typeof input === 'object' && input !== null && 'stops' in input;
