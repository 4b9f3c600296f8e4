// The delivery's life as pure functions: what each kind of answer leads to.
import test from 'ava';
import { newDelivery, type DeliveryDocument } from './delivery.ts';
import type { EndpointDocument } from './endpoint.ts';
import { anEndpoint } from './testing/index.ts';
import {
  isDue,
  laneBlocker,
  needsLaneCheck,
  parkBehind,
  redeliver,
  releaseWaiting,
  settleAttempt,
  takeLease,
  type AttemptResult,
} from './transitions.ts';

const t0 = new Date('2026-11-21T09:00:00.000Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const policy = { schedule: [0, 1_000, 60_000], disableAfterMs: 86_400_000, random: () => 0.5 };
const endpoint: EndpointDocument = anEndpoint('e-1', { createdAt: t0.toISOString(), updatedAt: t0.toISOString() });
const delivery = (revision = 0, webhookId = `w-${revision}`): DeliveryDocument =>
  newDelivery({
    webhookId,
    endpoint,
    eventId: `ev-${revision}`,
    eventType: 'parcel.loaded.v1',
    parcelId: 'p-1',
    lane: 'e-1|p-1',
    streamRevision: revision,
    globalPosition: revision + 1,
    body: '{}',
    replayId: null,
    now: t0,
  });
const answered = (statusCode: number, retryAfterMs?: number): AttemptResult => ({
  kind: 'answered',
  statusCode,
  latencyMs: 12,
  excerpt: null,
  ...(retryAfterMs !== undefined && { retryAfterMs }),
});

/** Leases and settles one attempt at `at`. */
const attempt = (d: DeliveryDocument, result: AttemptResult, at: Date, e: EndpointDocument = endpoint) => {
  const leased = takeLease(d, e, at, 30_000);
  if (leased.kind !== 'leased') throw new Error(`not leased: ${leased.kind}`);
  return settleAttempt(leased.delivery, e, result, at, at, policy);
};

test('the schedule: retries at its delays, dead when it runs out, every attempt recorded', (t) => {
  const first = attempt(delivery(), answered(500), t0);
  t.like(first.delivery, { status: 'pending', nextAttemptAt: later(1_000).toISOString(), leaseUntil: null });
  t.is(first.endpoint?.failingSince, t0.toISOString());
  const second = attempt(first.delivery, answered(502), later(1_000));
  t.is(second.delivery.nextAttemptAt, later(61_000).toISOString());
  const third = attempt(second.delivery, { kind: 'failed', error: 'connect ECONNREFUSED', latencyMs: 1 }, later(61_000));
  t.like(third.delivery, {
    status: 'dead',
    nextAttemptAt: null,
    deadReason: 'the retry schedule is exhausted after 3 attempts (last: connect ECONNREFUSED)',
  });
  t.deepEqual(
    third.delivery.attempts.map((a) => [a.attempt, a.statusCode]),
    [
      [1, 500],
      [2, 502],
      [3, null],
    ],
  );
});

test('Retry-After on 503 sets the next attempt; on other statuses the schedule decides', (t) => {
  t.is(attempt(delivery(), answered(503, 7_000), t0).delivery.nextAttemptAt, later(7_000).toISOString());
  t.is(attempt(delivery(), answered(500, 7_000), t0).delivery.nextAttemptAt, later(1_000).toISOString());
});

test('an interrupted attempt is due again at once and does not touch the endpoint', (t) => {
  const settled = attempt(delivery(), { kind: 'interrupted', latencyMs: 3 }, t0);
  t.like(settled.delivery, { status: 'pending', nextAttemptAt: t0.toISOString() });
  t.is(settled.endpoint, undefined);
  t.regex(settled.delivery.attempts[0]!.error ?? '', /^interrupted/);
});

test('an expired lease is recorded as an attempt without outcome, then leased again', (t) => {
  const leased = takeLease(delivery(), endpoint, t0, 30_000);
  if (leased.kind !== 'leased') return t.fail();
  t.false(isDue(leased.delivery, later(29_999)));
  t.true(isDue(leased.delivery, later(30_000)));
  const again = takeLease(leased.delivery, endpoint, later(30_000), 30_000);
  if (again.kind !== 'leased') return t.fail();
  t.like(again.delivery.attempts[0], { attempt: 1, at: t0.toISOString(), statusCode: null, latencyMs: 30_000 });
  t.is(takeLease(again.delivery, endpoint, later(30_001), 30_000).kind, 'gone', 'a live lease is not taken twice');
});

test('a disabled or deleted endpoint: the delivery dies unsent', (t) => {
  const disabled = takeLease(delivery(), { ...endpoint, enabled: false, disabledReason: 'the receiver answered 410 Gone' }, t0, 30_000);
  t.like(disabled, {
    kind: 'refused',
    delivery: { status: 'dead', deadReason: 'not sent: the endpoint is disabled (the receiver answered 410 Gone)' },
  });
  t.like(takeLease(delivery(), undefined, t0, 30_000), { kind: 'refused', delivery: { deadReason: 'not sent: the endpoint was deleted' } });
});

test("only a lane's head may be sent; a delivery whose lease expired was its head and goes again unchecked", (t) => {
  const head = delivery(0);
  t.is(laneBlocker(delivery(1), head), head);
  t.is(laneBlocker(head, head), undefined, 'the head itself');
  t.is(laneBlocker(delivery(1), undefined), undefined, 'nothing undelivered before it');
  t.true(needsLaneCheck(delivery(1)));
  const leased = takeLease(delivery(1), endpoint, t0, 30_000);
  if (leased.kind !== 'leased') return t.fail();
  t.false(needsLaneCheck(leased.delivery));
});

test('parking behind an earlier delivery, released when it is delivered', (t) => {
  const blocker = delivery(0);
  const parked = parkBehind(delivery(1), blocker, t0);
  t.like(parked?.candidate, { blockedBy: 'w-0', nextAttemptAt: null });
  t.deepEqual(parked?.blocker.waiting, ['w-1']);
  t.false(isDue(parked!.candidate, later(1)));
  t.is(parkBehind(delivery(1), { ...blocker, status: 'delivered' }, t0), undefined, 'not behind a delivered one');
  const delivered = attempt(parked!.blocker, answered(204), t0);
  t.is(delivered.outcome, 'delivered');
  t.deepEqual(delivered.delivery.waiting, []);
  const released = releaseWaiting(delivered.delivery, [parked!.candidate], later(5));
  t.like(released[0], { blockedBy: null, nextAttemptAt: later(5).toISOString() });
});

test('a redelivery starts a fresh round of the schedule and keeps the log', (t) => {
  let d = delivery();
  for (const at of [0, 1_000, 61_000]) d = attempt(d, answered(500), later(at)).delivery;
  t.is(d.status, 'dead');
  const again = redeliver(d, later(100_000));
  t.like(again, { status: 'pending', roundStart: 3, deadReason: null, nextAttemptAt: later(100_000).toISOString() });
  const failedOnce = attempt(again!, answered(500), later(100_000));
  t.is(failedOnce.delivery.nextAttemptAt, later(101_000).toISOString(), 'the schedule from its start');
  t.is(failedOnce.delivery.attempts.length, 4);
  t.is(redeliver({ ...d, status: 'pending' }, t0), undefined, 'a pending one is on its way already');
});

test('a success clears the failing streak; 410 disables the endpoint', (t) => {
  const failing = { ...endpoint, failingSince: t0.toISOString() };
  t.is(attempt(delivery(), answered(201), later(5), failing).endpoint?.failingSince, null);
  const gone = attempt(delivery(), answered(410), t0);
  t.like(gone, { outcome: 'dead', endpoint: { enabled: false, disabledReason: 'the receiver answered 410 Gone' } });
});
