// Properties over any history: random command sequences, each decoded through the real codecs first.
import { canonicalJson, fold } from '@meridian/kernel';
import test from 'ava';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { routeCommands, type RouteCommand } from './commands.ts';
import { routeDecider } from './decider.ts';
import { routeEvents, type RouteEvent } from './events.ts';
import type { RouteState } from './state.ts';

const start = Date.parse('2026-11-21T06:00:00Z');
const iso = (offsetMinutes: number) => new Date(start + offsetMinutes * 60_000).toISOString();
const routeId = 'r-1';
const stopPool = ['s-1', 's-2', 's-3', 's-4'];
const point = fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) });
// An unknown stop too, so that refusals are exercised as well as acceptances.
const stopId = fc.constantFrom(...stopPool, 's-9');
const about = { routeId: fc.constant(routeId) };

const anyStop = fc.record({
  stopId: fc.constantFrom(...stopPool),
  location: point,
  parcelIds: fc.array(fc.constantFrom('p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6', 'p-7', 'p-8'), { minLength: 1, maxLength: 3 }),
});
/** Stops that keep the plan's rules (unique stops, each parcel once), so most histories get past planning. */
const wellFormedStops = fc
  .tuple(fc.shuffledSubarray(stopPool, { minLength: 1 }), point, fc.integer({ min: 1, max: 3 }))
  .map(([stopIds, location, parcels]) =>
    stopIds.map((id) => ({ stopId: id, location, parcelIds: Array.from({ length: parcels }, (_, i) => `${id}-p${i}`) })),
  );
const anyWindow = fc.record({ from: fc.integer({ min: -120, max: 600 }).map(iso), to: fc.integer({ min: -60, max: 24 * 60 }).map(iso) });
const wellFormedWindow = fc
  .tuple(fc.integer({ min: -60, max: 120 }), fc.integer({ min: 60, max: 24 * 60 }))
  .map(([from, length]) => ({ from: iso(from), to: iso(from + length) }));

const planRoute = fc.record({
  type: fc.constant('PlanRoute'),
  data: fc.record({
    ...about,
    depotId: fc.constantFrom('ams-1', 'rtm-1'),
    dispatchWindow: fc.oneof({ arbitrary: wellFormedWindow, weight: 4 }, { arbitrary: anyWindow, weight: 1 }),
    stops: fc.oneof({ arbitrary: wellFormedStops, weight: 4 }, { arbitrary: fc.array(anyStop, { minLength: 1, maxLength: 4 }), weight: 1 }),
  }),
});

/** Raw command bodies, as a client would send them, for every route command. */
const rawCommand = fc.oneof(
  // Weighted like a real route's life (a plan, then mostly stops closing, rarely a cancellation) so that
  // histories reach every state rather than ending early.
  { arbitrary: planRoute, weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant('AssignRouteVehicle'),
      data: fc.record({ ...about, vehicleId: fc.constantFrom('v-1', 'v-2'), driverId: fc.constantFrom('d-1', 'd-2') }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ type: fc.constant('StartRoute'), data: fc.record(about) }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('CompleteStop'), data: fc.record({ ...about, stopId }) }), weight: 5 },
  {
    arbitrary: fc.record({
      type: fc.constant('SkipStop'),
      data: fc.record({ ...about, stopId, reason: fc.constantFrom('gate closed', 'no access') }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('ResequenceStops'),
      data: fc.record({ ...about, stopIds: fc.shuffledSubarray([...stopPool, 's-9'], { minLength: 1 }) }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ type: fc.constant('FinishRoute'), data: fc.record(about) }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('CancelRoute'), data: fc.record({ ...about, reason: fc.constant('storm') }) }), weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant('RecordParcelRefusal'),
      data: fc.record({
        ...about,
        parcelId: fc.constantFrom('p-1', 'p-2', 's-1-p0', 's-2-p1', 's-3-p0', 'p-9'),
        code: fc.constant('ParcelNotAssignable'),
      }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ type: fc.constant('AcceptParcel'), data: fc.record({ ...about, parcelId: fc.constant('p-7') }) }), weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant('EstimateArrivals'),
      data: fc.record(
        {
          ...about,
          model: fc.record({
            speedKmh: fc.integer({ min: 1, max: 200 }),
            roadFactor: fc.constantFrom(1, 1.3, 2),
            serviceSeconds: fc.integer({ min: 0, max: 600 }),
          }),
          trigger: fc.constantFrom('route-started', 'stop-closed', 'position'),
          position: point.chain((at) =>
            fc.record({
              lat: fc.constant(at.lat),
              lng: fc.constant(at.lng),
              at: fc.integer({ min: 0, max: 600 }).map(iso),
              source: fc.constant('telemetry'),
            }),
          ),
          throttle: fc.record({ intervalSeconds: fc.integer({ min: 0, max: 600 }), thresholdSeconds: fc.integer({ min: 0, max: 600 }) }),
        },
        { requiredKeys: ['routeId', 'model', 'trigger'] },
      ),
    }),
    weight: 3,
  },
);

/** Decodes a raw body with the command's own codec, as the HTTP edge does, and stamps the clock. */
const decoded = (raw: { type: string; data: unknown }, minute: number): RouteCommand => {
  const codec = routeCommands[raw.type as keyof typeof routeCommands];
  const data = codec.decode(raw.data);
  if (E.isLeft(data)) throw new Error(`arbitrary produced an invalid ${raw.type}`);
  return { type: raw.type, data: data.right, metadata: { now: new Date(start + minute * 60_000) } } as RouteCommand;
};

const step = fc.tuple(rawCommand, fc.integer({ min: 0, max: 10 }));
// Most histories open with a plan, as real ones do; without it nearly every later command is RouteNotFound.
const history = fc
  .tuple(fc.option(fc.tuple(planRoute, fc.constant(0)), { freq: 5 }), fc.array(step, { maxLength: 80, size: 'max' }))
  .map(([first, rest]) => (first === null ? rest : [first, ...rest]));

/** Decides every step against the state so far, folds what was accepted, and shows each state reached. */
const replay = (
  steps: readonly [{ type: string; data: unknown }, number][],
  visit: (state: RouteState, events: readonly RouteEvent[]) => void = () => {},
) => {
  let state = routeDecider.initialState;
  let minute = 0;
  for (const [raw, elapsed] of steps) {
    minute += elapsed;
    const decision = routeDecider.decide(decoded(raw, minute), state);
    const events = E.isRight(decision) ? decision.right : [];
    state = fold(routeDecider, events, state);
    visit(state, events);
  }
};

const closedStops = (state: RouteState) =>
  state.status === 'Unplanned' ? 0 : state.route.stops.filter((s) => s.status !== 'pending').length;
const stopSet = (state: RouteState) =>
  state.status === 'Unplanned'
    ? ''
    : state.route.stops
        .map((s) => s.stopId)
        .sort()
        .join(',');

test('decide never throws, and folding any sequence of accepted events never throws', (t) => {
  fc.assert(
    fc.property(history, (steps) => replay(steps)),
    { numRuns: 500 },
  );
  t.pass('500 random histories decided and folded without throwing');
});

test('every accepted event survives the round trip through its wire codec', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
      const accepted: RouteEvent[] = [];
      replay(steps, (_, events) => accepted.push(...events));
      const roundTripped = accepted.map((event) => routeEvents.decode(JSON.parse(JSON.stringify(routeEvents.encode(event)))));
      return roundTripped.every((result, i) => E.isRight(result) && canonicalJson(result.right) === canonicalJson(accepted[i]));
    }),
    { numRuns: 300 },
  );
  t.pass();
});

const parcelsOnStops = (state: RouteState): readonly string[] =>
  state.status === 'Unplanned' ? [] : state.route.stops.flatMap((s) => s.parcelIds);

test('a route only ever loses parcels, by refusals, and a refused parcel is on no stop afterwards', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
      let before: readonly string[] | undefined;
      replay(steps, (state, events) => {
        const now = parcelsOnStops(state);
        const known = before;
        if (known !== undefined && now.some((parcelId) => !known.includes(parcelId))) throw new Error('a parcel joined the stops');
        const refused: readonly string[] = events.flatMap((event) => (event.type === 'RouteParcelRefused' ? [event.data.parcelId] : []));
        if (refused.some((parcelId) => now.includes(parcelId))) throw new Error('a refused parcel is still on a stop');
        const dropped = known === undefined ? [] : known.filter((parcelId) => !now.includes(parcelId));
        if (dropped.some((parcelId) => !refused.includes(parcelId))) throw new Error('a parcel left the stops without a refusal');
        if (state.status !== 'Unplanned') before = now;
      });
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('closed stops never reopen, no stop is ever lost, and a finished route has no pending stop', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
      let closed = 0;
      let stops = '';
      replay(steps, (state) => {
        if (closedStops(state) < closed) throw new Error(`closed stops went from ${closed} to ${closedStops(state)}`);
        if (stops !== '' && stopSet(state) !== stops) throw new Error(`stops changed from ${stops} to ${stopSet(state)}`);
        if (state.status === 'Finished' && state.route.stops.some((s) => s.status === 'pending'))
          throw new Error('finished with a pending stop');
        [closed, stops] = [closedStops(state), stopSet(state)];
      });
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('an estimate names exactly the pending stops, in visiting order, and its ETAs never go back along the route', (t) => {
  let estimates = 0;
  fc.assert(
    fc.property(history, (steps) => {
      replay(steps, (state, events) => {
        for (const event of events) {
          if (event.type !== 'RouteEtaUpdated' || state.status === 'Unplanned') continue;
          estimates++;
          const pending = state.route.stops.filter((s) => s.status === 'pending').map((s) => s.stopId);
          if (event.data.stops.map((s) => s.stopId).join(',') !== pending.join(',')) throw new Error('an estimate names other stops');
          const times = event.data.stops.map((s) => Date.parse(s.eta));
          if (times.some((time, i) => i > 0 && time < times[i - 1]!)) throw new Error('an ETA goes back along the route');
        }
      });
    }),
    { numRuns: 500 },
  );
  t.true(estimates > 100, `the histories made ${estimates} estimates`);
});
