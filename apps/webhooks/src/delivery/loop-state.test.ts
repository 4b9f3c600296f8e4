// The delivery loop's decisions, pure: who gets a slot, when an endpoint is looked at again, how the sweep
// pages, how long the loop sleeps.
import { newDelivery, type DeliveryDocument } from '@meridian/webhooks';
import test from 'ava';
import {
  admit,
  endpointsToRefill,
  hasRoomFor,
  idleWait,
  initialLoopState,
  refilled,
  released,
  rung,
  swept,
  sweepDue,
  sweepRestarted,
  type LoopLimits,
  type LoopState,
} from './loop-state.ts';

const t0 = new Date('2026-11-21T09:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const limits: LoopLimits = { maxInFlight: 4, maxPerEndpoint: 2, maxSleepMs: 1_000, maxSweepPages: 2, pageSize: 3 };

/** A pending delivery of `endpointId`, in lane `lane`, due at t0 + dueInMs. */
const delivery = (
  webhookId: string,
  { endpointId = 'e-1', lane = `${endpointId}|${webhookId}`, dueInMs = 0 }: { endpointId?: string; lane?: string; dueInMs?: number } = {},
): DeliveryDocument => ({
  ...newDelivery({
    webhookId,
    endpoint: { endpointId, clientId: 'acme' },
    eventId: `ev-${webhookId}`,
    eventType: 'parcel.loaded.v1',
    parcelId: 'p',
    lane,
    streamRevision: 0,
    globalPosition: 1,
    body: '{}',
    replayId: null,
    now: t0,
  }),
  nextAttemptAt: at(dueInMs).toISOString(),
});

const ids = (deliveries: readonly DeliveryDocument[]) => deliveries.map((d) => d.webhookId);

test('a slot per delivery: one per lane, at most maxPerEndpoint per endpoint and maxInFlight in all, never twice', (t) => {
  const { state, admitted } = admit(
    initialLoopState,
    [
      delivery('a'),
      delivery('b', { lane: 'e-1|a' }),
      delivery('c'),
      delivery('d'),
      delivery('e', { endpointId: 'e-2' }),
      delivery('f', { endpointId: 'e-3' }),
      delivery('g', { endpointId: 'e-4' }),
    ],
    limits,
  );
  t.deepEqual(ids(admitted), ['a', 'c', 'e', 'f'], "b waits for its lane, d for its endpoint's slots, g for the process's");
  t.false(hasRoomFor(state, 'e-4', limits));
  t.deepEqual(ids(admit(state, [delivery('a')], limits).admitted), [], 'a delivery in flight is not taken again');
  const freed = released(state, { webhookId: 'a' });
  t.deepEqual(ids(admit(freed, [delivery('b', { lane: 'e-1|a' }), delivery('g', { endpointId: 'e-4' })], limits).admitted), ['b']);
});

test('rings make the endpoints rung due now, and a ring for everywhere the sweep', (t) => {
  const state = rung(initialLoopState, { endpointIds: new Set(['e-1', 'e-2']), everywhere: false }, 500);
  t.deepEqual(
    [...state.endpointsDue],
    [
      ['e-1', 500],
      ['e-2', 500],
    ],
  );
  const swept = { ...state, sweep: { cursor: undefined, pages: 0, nextAt: 9_000 } };
  t.is(rung(swept, { endpointIds: new Set(), everywhere: true }, 600).sweep.nextAt, 600);
  t.deepEqual(
    endpointsToRefill(
      {
        ...state,
        endpointsDue: new Map([
          ['e-1', 500],
          ['e-2', 700],
        ]),
      },
      600,
    ),
    ['e-1'],
  );
});

test("an endpoint's refill: started, look again next turn; nothing due, when the first is; due but no room, wait for a ring", (t) => {
  const started = refilled(initialLoopState, 'e-1', [delivery('a'), delivery('b', { dueInMs: 5_000 })], t0, limits);
  t.deepEqual(ids(started.admitted), ['a']);
  t.is(started.state.endpointsDue.get('e-1'), t0.getTime());

  const later = refilled(initialLoopState, 'e-1', [delivery('b', { dueInMs: 5_000 })], t0, limits);
  t.deepEqual(ids(later.admitted), []);
  t.is(later.state.endpointsDue.get('e-1'), at(5_000).getTime());

  const busy = admit(initialLoopState, [delivery('x'), delivery('y')], limits).state;
  const full = refilled(busy, 'e-1', [delivery('a'), delivery('b', { dueInMs: 5_000 })], t0, limits);
  t.deepEqual(ids(full.admitted), []);
  t.false(full.state.endpointsDue.has('e-1'), 'an attempt of it ending rings for it');

  t.false(refilled(initialLoopState, 'e-1', [], t0, limits).state.endpointsDue.has('e-1'), 'no work: forgotten');
});

test('the sweep: expired leases first, busy endpoints left to their refill, pages up to maxSweepPages, then a pause', (t) => {
  const start: LoopState = { ...initialLoopState, sweep: { cursor: undefined, pages: 0, nextAt: 0 } };
  t.true(sweepDue(start, t0.getTime(), limits));
  const expired = { ...delivery('old', { endpointId: 'e-2' }), status: 'delivering' as const };
  const first = swept(
    start,
    { expired: [expired], page: { deliveries: [delivery('a'), delivery('b'), delivery('c')], next: 'c1' } },
    t0,
    limits,
  );
  t.deepEqual(ids(first.admitted), ['old', 'a', 'b']);
  t.is(first.state.endpointsDue.get('e-1'), t0.getTime(), 'c waits for e-1 to have room');
  t.deepEqual(first.state.sweep, { cursor: 'c1', pages: 1, nextAt: 0 }, 'more pages: the next turn reads on');
  t.is(idleWait(first.state, { started: 3, sweeping: true }, t0.getTime(), limits), undefined);

  const second = swept(first.state, { expired: [], page: { deliveries: [delivery('d', { endpointId: 'e-3' })], next: 'c2' } }, t0, limits);
  t.deepEqual(
    second.state.sweep,
    { cursor: 'c2', pages: 0, nextAt: t0.getTime() + 1_000 },
    'maxSweepPages read: the next sweep resumes there, later',
  );

  const end = swept(
    start,
    { expired: [], page: { deliveries: [delivery('a'), delivery('z', { dueInMs: 60_000 })], next: 'c9' } },
    t0,
    limits,
  );
  t.deepEqual(end.state.sweep, { cursor: undefined, pages: 0, nextAt: t0.getTime() + 1_000 }, 'a delivery not due yet ends the sweep');
  t.deepEqual(sweepRestarted(first.state).sweep, { cursor: undefined, pages: 1, nextAt: 0 });

  const full = admit(
    initialLoopState,
    ['1', '2', '3', '4'].map((id) => delivery(id, { endpointId: `f-${id}` })),
    limits,
  ).state;
  t.false(sweepDue(full, t0.getTime(), limits), 'no free slot: no sweep');
});

test('idle, the loop sleeps until the next sweep or the soonest endpoint with room, at most maxSleepMs; full, until an attempt ends', (t) => {
  const idle: LoopState = {
    ...initialLoopState,
    endpointsDue: new Map([['e-1', 300]]),
    sweep: { cursor: undefined, pages: 0, nextAt: 800 },
  };
  t.is(idleWait(idle, { started: 0, sweeping: false }, 100, limits), 200);
  t.is(idleWait({ ...idle, endpointsDue: new Map() }, { started: 0, sweeping: false }, 100, limits), 700);
  t.is(
    idleWait({ ...idle, endpointsDue: new Map(), sweep: { ...idle.sweep, nextAt: 5_000 } }, { started: 0, sweeping: false }, 100, limits),
    1_000,
  );
  const busyEndpoint = admit(idle, [delivery('a'), delivery('b')], limits).state;
  t.is(idleWait(busyEndpoint, { started: 0, sweeping: false }, 100, limits), 700, 'an endpoint without room is not waited for');
  const full = admit(
    initialLoopState,
    ['1', '2', '3', '4'].map((id) => delivery(id, { endpointId: `f-${id}` })),
    limits,
  ).state;
  t.is(idleWait(full, { started: 0, sweeping: false }, 100, limits), 1_000);
  t.is(idleWait(idle, { started: 1, sweeping: false }, 100, limits), undefined, 'something started: look again at once');
});
