// What an operator reads of each attempt: one line per outcome, and one more when it disabled the endpoint.
import { newDelivery, settleAttempt, takeLease, type AttemptResult } from '@meridian/webhooks';
import { anEndpoint } from '@meridian/webhooks/testing';
import test from 'ava';
import { attemptLogLines, notSentLogLine } from './log-lines.ts';

const t0 = new Date('2026-11-21T09:00:00.000Z');
const endpoint = anEndpoint('e-1');
const policy = { schedule: [0, 1_000], disableAfterMs: 86_400_000, random: () => 0.5 };
const pending = newDelivery({
  webhookId: 'w-1',
  endpoint,
  eventId: 'ev-1',
  eventType: 'parcel.loaded.v1',
  parcelId: 'p-1',
  lane: 'e-1|p-1',
  streamRevision: 0,
  globalPosition: 1,
  body: '{}',
  replayId: null,
  now: t0,
});
const leaseOf = () => {
  const leased = takeLease(pending, endpoint, t0, 30_000);
  if (leased.kind !== 'leased') throw new Error(leased.kind);
  return leased.delivery;
};
const lines = (result: AttemptResult, over = endpoint) => {
  const leased = leaseOf();
  return attemptLogLines(leased, result, settleAttempt(leased, over, result, t0, t0, policy));
};
const answered = (statusCode: number): AttemptResult => ({ kind: 'answered', statusCode, latencyMs: 12.4, excerpt: null });

test('delivered is info, a failure that will be retried a warning with its next time, dead an error with its reason', (t) => {
  t.deepEqual(lines(answered(204)), [
    {
      level: 'info',
      message: 'webhook delivered',
      fields: { webhookId: 'w-1', endpointId: 'e-1', eventType: 'parcel.loaded.v1', attempt: 1, statusCode: 204, latencyMs: 12 },
    },
  ]);
  t.like(lines({ kind: 'failed', error: 'connect ECONNREFUSED', latencyMs: 3 })[0], {
    level: 'warn',
    message: 'webhook attempt failed',
    fields: { error: 'connect ECONNREFUSED', nextAttemptAt: '2026-11-21T09:00:01.000Z' },
  });
  t.like(lines({ kind: 'interrupted', latencyMs: 3 })[0], { level: 'warn', fields: { error: 'interrupted' } });
});

test('410 Gone: the delivery dead and the endpoint disabled, each said once', (t) => {
  const [dead, disabled, ...rest] = lines(answered(410));
  t.like(dead, { level: 'error', message: 'webhook dead', fields: { statusCode: 410, reason: 'the receiver answered 410 Gone' } });
  t.deepEqual(disabled, {
    level: 'warn',
    message: 'webhook endpoint disabled',
    fields: { endpointId: 'e-1', reason: 'the receiver answered 410 Gone' },
  });
  t.deepEqual(rest, []);
});

test('an outcome dropped because another dispatcher took the expired lease, and a delivery that died unsent', (t) => {
  t.deepEqual(attemptLogLines(leaseOf(), answered(200), { outcome: 'lost' }), [
    {
      level: 'warn',
      message: 'attempt outcome dropped: another dispatcher took the expired lease',
      fields: { webhookId: 'w-1', endpointId: 'e-1', eventType: 'parcel.loaded.v1', attempt: 1, statusCode: 200 },
    },
  ]);
  const refused = takeLease(pending, undefined, t0, 30_000);
  if (refused.kind !== 'refused') return t.fail();
  t.deepEqual(notSentLogLine(pending, refused.delivery), {
    level: 'warn',
    message: 'webhook not sent',
    fields: { webhookId: 'w-1', endpointId: 'e-1', reason: 'not sent: the endpoint was deleted' },
  });
});
